"""Token endpoint (pre-authorized code grant) and access-token authentication."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlmodel import Session

from issuers.oid4vci.codes import hash_secret, hash_tx_code, new_secret, same_hash
from issuers.oid4vci.errors import InvalidGrant, InvalidToken, InvalidTokenRequest, UnsupportedGrantType
from issuers.oid4vci.models import MAX_TX_CODE_FAILURES, Oid4vciAccessToken, Oid4vciOffer
from issuers.oid4vci.offers import PRE_AUTHORIZED_GRANT

_OFFER = Oid4vciOffer.__table__  # type: ignore[attr-defined]
_ACCESS = Oid4vciAccessToken.__table__  # type: ignore[attr-defined]
#: RFC 6749 §5.2: the same answer for unknown, expired, used and locked codes, so a
#: guesser learns nothing about which codes exist
_GRANT_REFUSED = "the pre-authorized code is invalid, expired or already used"


@dataclass(frozen=True)
class TokenRequest:
    pre_authorized_code: str
    tx_code: str | None


@dataclass(frozen=True)
class TokenIssued:
    access_token: str
    expires_in: int

    def response(self) -> dict[str, object]:
        return {"access_token": self.access_token, "token_type": "Bearer", "expires_in": self.expires_in}


@dataclass(frozen=True)
class AccessGrant:
    """What a valid access token allows: the configurations of its offer."""

    offer_id: str
    configuration_ids: tuple[str, ...]


def parse_token_request(form: Mapping[str, str]) -> TokenRequest:
    grant_type = form.get("grant_type")
    if not grant_type:
        raise InvalidTokenRequest("grant_type is required")
    if grant_type != PRE_AUTHORIZED_GRANT:
        raise UnsupportedGrantType(f"only {PRE_AUTHORIZED_GRANT} is supported")
    code = form.get("pre-authorized_code")
    if not code:
        raise InvalidTokenRequest("pre-authorized_code is required")
    return TokenRequest(pre_authorized_code=code, tx_code=form.get("tx_code") or None)


def _claim_tx_code_attempt(session: Session, offer_id: str) -> None:
    """Count a tx_code attempt BEFORE evaluating it, in one conditional UPDATE, committed.

    Reading the count and checking it afterwards let parallel guesses all pass the check
    before any was counted; here the database hands out at most MAX_TX_CODE_FAILURES
    attempts (PostgreSQL's row lock makes a concurrent UPDATE wait and re-check the limit).
    The right code redeems the offer, so the count of a live offer is its wrong guesses.
    """
    claimed = session.execute(
        update(_OFFER)
        .where(
            _OFFER.c.id == offer_id,
            _OFFER.c.redeemed_at.is_(None),
            _OFFER.c.tx_code_failures < MAX_TX_CODE_FAILURES,
        )
        .values(tx_code_failures=_OFFER.c.tx_code_failures + 1)
    )
    if claimed.rowcount != 1:
        session.rollback()
        raise InvalidGrant(_GRANT_REFUSED)
    session.commit()


def redeem_pre_authorized_code(session: Session, *, request: TokenRequest, now: datetime, ttl: timedelta) -> TokenIssued:
    """Exchange the code for an access token: once, before expiry, with the right tx_code."""
    offer = session.execute(
        select(Oid4vciOffer).where(Oid4vciOffer.code_hash == hash_secret(request.pre_authorized_code))  # type: ignore[arg-type]
    ).scalar_one_or_none()
    if offer is None:
        raise InvalidGrant(_GRANT_REFUSED)
    # OpenID4VCI §6.3: a missing or unexpected tx_code is a malformed request, not a bad grant
    if offer.tx_code_hash is None and request.tx_code is not None:
        raise InvalidTokenRequest("this offer has no tx_code")
    if offer.tx_code_hash is not None and request.tx_code is None:
        raise InvalidTokenRequest("tx_code is required for this offer")
    if offer.tx_code_hash is not None and request.tx_code is not None:
        _claim_tx_code_attempt(session, offer.id)
        presented = hash_tx_code(request.tx_code, pre_authorized_code=request.pre_authorized_code)
        if not same_hash(presented, offer.tx_code_hash):
            raise InvalidGrant("wrong tx_code")
    # the conditional UPDATE is the single-use check: of two concurrent redemptions the
    # database lets exactly one match "redeemed_at IS NULL"
    redeemed = session.execute(
        update(_OFFER)
        .where(
            _OFFER.c.id == offer.id,
            _OFFER.c.redeemed_at.is_(None),
            _OFFER.c.expires_at > now,
            # <=: the attempt that brought the right code was counted too
            _OFFER.c.tx_code_failures <= MAX_TX_CODE_FAILURES,
        )
        .values(redeemed_at=now)
    )
    if redeemed.rowcount != 1:
        session.rollback()
        raise InvalidGrant(_GRANT_REFUSED)
    access_token = new_secret()
    session.add(
        Oid4vciAccessToken(token_hash=hash_secret(access_token), offer_id=offer.id, created_at=now, expires_at=now + ttl)
    )
    session.commit()
    return TokenIssued(access_token=access_token, expires_in=int(ttl.total_seconds()))


#: built once: constructing a statement costs more CPU than the round trip it makes
_GRANT_BY_TOKEN = (
    select(_ACCESS.c.offer_id, _OFFER.c.configuration_ids, _OFFER.c.subject_sealed)
    .join(_OFFER, _OFFER.c.id == _ACCESS.c.offer_id)
    .where(_ACCESS.c.token_hash == bindparam("token_hash"), _ACCESS.c.expires_at > bindparam("now"))
)


def authenticate_access_token_with_subject(
    session: Session, *, access_token: str | None, now: datetime
) -> tuple[AccessGrant, bytes]:
    """The grant and its offer's sealed subject in ONE query (the credential endpoint needs both)."""
    if not access_token:
        raise InvalidToken("a Bearer access token is required")
    row = session.connection().execute(_GRANT_BY_TOKEN, {"token_hash": hash_secret(access_token), "now": now}).first()
    if row is None:
        raise InvalidToken("the access token is invalid or expired")
    return AccessGrant(offer_id=row.offer_id, configuration_ids=tuple(row.configuration_ids)), row.subject_sealed


def authenticate_access_token(session: Session, *, access_token: str | None, now: datetime) -> AccessGrant:
    return authenticate_access_token_with_subject(session, access_token=access_token, now=now)[0]
