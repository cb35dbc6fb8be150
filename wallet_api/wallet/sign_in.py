"""Device sign-in by challenge-response.

1. ``create_challenge`` hands out a random, single-use challenge that expires
   (``sign_in_challenge_ttl_s``).
2. The app signs a compact JWS with the device key::

       header  {"alg": <the device key's alg>, "typ": "ecert-sign-in+jwt", "kid": <device id>}
       payload {"challenge": <challenge>, "aud": <token endpoint URL>, "iat": <now>}

3. ``sign_in`` verifies it with the registered device key (the algorithm is the key's, not
   the header's), spends the challenge with a conditional UPDATE (a second use, from any
   worker, is ``replayed``) and issues a short-lived access token. The verification and the
   spending are ``device_proofs``, shared with device registration.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from keys.errors import KeyLayerError
from keys.jws import VerificationKey, parse_compact
from schemas.errors import AuthError
from wallet_api.db.expired_rows import ExpiredRowSweeper, ExpiringTable
from wallet_api.wallet.device_proofs import proof_challenge, spend_challenge
from wallet_api.wallet.models import AccessToken, Device, SignInChallenge
from wallet_api.wallet.tokens import IssuedToken, issue_device_token

SIGN_IN_TYP = "ecert-sign-in+jwt"
_TABLE = SignInChallenge.__table__  # type: ignore[attr-defined]
CHALLENGES = ExpiringTable.of(SignInChallenge)
ACCESS_TOKENS = ExpiringTable.of(AccessToken)


def create_challenge(session: Session, *, now: datetime, ttl_s: int, sweeper: ExpiredRowSweeper) -> SignInChallenge:
    """A new challenge, committed. Anyone may ask (the route is rate limited), so each insert
    may also sweep a bounded batch of expired challenges: the table stays at the live ones."""
    row = SignInChallenge(id=secrets.token_urlsafe(32), created_at=now, expires_at=now + timedelta(seconds=ttl_s))
    sweeper.after_insert(session, CHALLENGES, now=now)
    session.add(row)
    session.commit()
    return row


def _device_for(session: Session, header: dict[str, Any], device_id: str | None) -> Device:
    kid = header.get("kid")
    wanted = device_id or kid
    if not isinstance(wanted, str) or (device_id is not None and kid not in (None, device_id)):
        raise AuthError("the sign-in proof names no device, or another one")
    device = session.get(Device, wanted)
    if device is None or device.revoked_at is not None:
        raise AuthError("unknown or revoked device")
    return device


def sign_in(
    session: Session,
    *,
    proof: Any,
    device_id: str | None,
    audience: str,
    now: datetime,
    leeway_s: int,
    token_ttl_s: int,
    sweeper: ExpiredRowSweeper,
) -> IssuedToken:
    if not isinstance(proof, str):
        raise AuthError("proof must be a compact JWS")
    try:
        parsed = parse_compact(proof)
        device = _device_for(session, parsed.unverified_header, device_id)
        key = VerificationKey.from_jwk(device.public_jwk)
    except KeyLayerError as exc:
        raise AuthError(f"sign-in proof: {exc}") from None
    challenge = proof_challenge(
        parsed, key, typ=SIGN_IN_TYP, audience=audience, now=now, leeway_s=leeway_s, what="sign-in proof", error=AuthError
    )
    spend_challenge(session, _TABLE, challenge=challenge, now=now, what="sign-in", error=AuthError)
    token = issue_device_token(session, holder_id=device.holder_id, device_id=device.id, now=now, ttl_s=token_ttl_s)
    # each sign-in leaves a token row behind; expired ones go a bounded batch at a time
    sweeper.after_insert(session, ACCESS_TOKENS, now=now)
    session.commit()
    return token
