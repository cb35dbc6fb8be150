"""One-time viewing links: for a receiver with no integration (a landlord, a small shop).

The holder picks one credential and the claims to show; the presentation is prepared and
signed by the device exactly like an OpenID4VP one (KB-JWT ``aud`` = the link's URL,
``nonce`` = a random value kept with the link). Submitting it answers a link and a viewing
code, apart: the code travels only in the ``X-Viewing-Code`` header, never in the URL
(URLs reach access logs). Whoever opens the link with the code sees the verified result
once: the link is consumed by a conditional UPDATE, the stored presentation is erased on
viewing, and after ``share_link_max_code_attempts`` wrong codes (each counted atomically
before it is evaluated) the link is burned. It expires after
``share_link_ttl_s`` (24 h by default) whether viewed or not.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session

from keys.sd_jwt import ClaimPath, attach_kb_jwt
from keys.sealing import Sealer
from schemas.errors import AuthError, InvalidInput, NotFound
from verifiers.pipeline import verify_presentation
from verifiers.profiles import PROFILES, Profile
from verifiers.verifier_services import VerifierServices
from wallet_api.wallet.credential_views import owned_credential, stored_claims
from wallet_api.wallet.errors import LinkGone
from wallet_api.wallet.models import Consent, ShareLink
from wallet_api.wallet.presentations import (
    KIND_SHARE_LINK,
    TABLE,
    WalletServices,
    prepared_item,
    presentable_credential,
    public_item,
    store_prepared,
    take_consent,
)
from wallet_api.wallet.sealing import open_json, open_text, seal_json, seal_text
from wallet_api.wallet.submissions import record_submission, set_outcome

LINK_TABLE = "wallet_share_link"
LINK_PATH = "/v1/shared/"
RECIPIENT_NAME = "one-time viewing link"
_LINKS = ShareLink.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ShareLinkPolicy:
    base_url: str
    ttl_s: int
    max_code_attempts: int

    def url(self, link_id: str) -> str:
        return self.base_url.rstrip("/") + LINK_PATH + link_id


def _paths(raw: Any, type_claims: set[str]) -> list[ClaimPath]:
    if not isinstance(raw, list) or not raw:
        raise InvalidInput("claims: a non-empty list of claim names or DCQL paths")
    paths: list[ClaimPath] = []
    for entry in raw:
        path = (entry,) if isinstance(entry, str) else tuple(entry) if isinstance(entry, list) and entry else None
        if path is None or not isinstance(path[0], str) or path[0] not in type_claims:
            raise InvalidInput(f"claims: {entry!r} is not a claim of this certificate")
        paths.append(path)
    return paths


def _code_hash(sealer: Sealer, link_id: str, code: str) -> str:
    return sealer.lookup_hash(code, purpose=f"wallet-share-link:{link_id}")


def create_share_link(
    session: Session, *, holder_id: str, body: dict[str, Any], ctx: WalletServices, policy: ShareLinkPolicy
) -> dict[str, Any]:
    """A consent of kind share_link, prepared at once: the app signs and submits it."""
    credential_id, device_id = body.get("credential_id"), body.get("device_id")
    if not isinstance(credential_id, str):
        raise InvalidInput("credential_id is required")
    row = owned_credential(session, holder_id=holder_id, credential_id=credential_id)
    device_id = device_id if isinstance(device_id, str) else row.device_id
    row = presentable_credential(session, holder_id=holder_id, credential_id=credential_id, device_id=device_id, ctx=ctx)
    claims = stored_claims(row, ctx.sealer)
    type_claims = {c.name for c in ctx.registry.get(row.type_id).claims} if row.type_id in ctx.registry else set(claims)
    paths = _paths(body.get("claims"), type_claims)
    link_id, nonce = uuid.uuid4().hex, secrets.token_urlsafe(32)
    consent_id = uuid.uuid4().hex
    consent = Consent(
        id=consent_id,
        holder_id=holder_id,
        kind=KIND_SHARE_LINK,
        created_at=ctx.now,
        expires_at=ctx.now + timedelta(seconds=ctx.consent_ttl_s),
        recipient_name=RECIPIENT_NAME,
        recipient_id=policy.url(link_id),
        purpose=str(body.get("purpose") or "")[:500],
        sealed_request=seal_json(
            ctx.sealer, {"link_id": link_id, "nonce": nonce, "aud": policy.url(link_id)}, table=TABLE, row_id=consent_id, field="request"
        ),
    )
    session.add(consent)
    item = prepared_item(row, query_id="shared", paths=paths, nonce=nonce, aud=policy.url(link_id), ctx=ctx)
    return store_prepared(
        session, consent, items=[item], device_id=device_id, public_items=[public_item(item, row, paths, ctx)], ctx=ctx
    )


def complete_share_link(
    session: Session, *, consent: Consent, items: list[dict[str, Any]], kb_jwts: dict[int, str], ctx: WalletServices, policy: ShareLinkPolicy
) -> dict[str, Any]:
    request = open_json(ctx.sealer, consent.sealed_request, table=TABLE, row_id=consent.id, field="request")
    link_id = request["link_id"]
    presentation = attach_kb_jwt(items[0]["presentation"], kb_jwts[0])
    take_consent(session, consent)
    code = f"{secrets.randbelow(10**8):08d}"
    expires_at = ctx.now + timedelta(seconds=policy.ttl_s)
    submission = record_submission(
        session,
        holder_id=consent.holder_id,
        kind=KIND_SHARE_LINK,
        recipient_name=consent.recipient_name,
        recipient_id=consent.recipient_id,
        purpose=consent.purpose,
        credentials=[{"credential_id": i["credential_id"], "type_id": i["type_id"], "claims": i["claims"]} for i in items],
        outcome="link_created",
        now=ctx.now,
    )
    session.add(
        ShareLink(
            id=link_id,
            holder_id=consent.holder_id,
            submission_id=submission.id,
            code_hash=_code_hash(ctx.sealer, link_id, code),
            nonce=request["nonce"],
            created_at=ctx.now,
            expires_at=expires_at,
            sealed_presentation=seal_text(ctx.sealer, presentation, table=LINK_TABLE, row_id=link_id, field="presentation"),
        )
    )
    session.commit()
    return {
        "submission_id": submission.id,
        "outcome": "link_created",
        "link": policy.url(link_id),
        "viewing_code": code,
        "expires_at": expires_at,
    }


def _viewing_profile(policy: ShareLinkPolicy) -> Profile:
    """The office profile, patient enough for a KB-JWT signed up to ``ttl_s`` before viewing."""
    steps = tuple(
        replace(step, options={**step.options, "max_age_s": policy.ttl_s + 300}) if step.id == "holder_binding" else step
        for step in PROFILES["office"].steps
    )
    return Profile("share_link", steps)


def _gone(session: Session, link: ShareLink, now: datetime) -> None:
    if link.expires_at <= now and link.status == "active":
        set_outcome(session, submission_id=link.submission_id, outcome="link_expired", now=now)
    raise LinkGone("this link has been used or has expired")


def _claim_attempt(session: Session, link: ShareLink, policy: ShareLinkPolicy) -> int:
    """Count a viewing attempt BEFORE its code is evaluated; returns its number. Committed.

    One conditional UPDATE: reading ``failed_attempts`` and writing it back afterwards let
    40 parallel wrong codes on PostgreSQL be evaluated 7 times against a limit of 5. Here the
    database hands out at most ``max_code_attempts`` numbers (a concurrent UPDATE waits for
    the row lock and re-checks the limit). The right code consumes the link, so on an
    active link the count is its wrong codes.
    """
    claimed = session.execute(
        update(_LINKS)
        .where(_LINKS.c.id == link.id, _LINKS.c.status == "active", _LINKS.c.failed_attempts < policy.max_code_attempts)
        .values(failed_attempts=_LINKS.c.failed_attempts + 1)
        .returning(_LINKS.c.failed_attempts)
    ).first()
    if claimed is None:
        session.rollback()
        raise LinkGone("this link has been used or has expired")
    session.commit()
    return int(claimed[0])


def _check_code(session: Session, link: ShareLink, code: Any, sealer: Sealer, policy: ShareLinkPolicy) -> None:
    attempt = _claim_attempt(session, link, policy)
    normalized = "".join(ch for ch in code if ch.isdigit()) if isinstance(code, str) else ""
    if hmac.compare_digest(_code_hash(sealer, link.id, normalized), link.code_hash):
        return
    if attempt >= policy.max_code_attempts:
        session.execute(
            update(_LINKS)
            .where(_LINKS.c.id == link.id, _LINKS.c.status == "active")
            .values(status="burned", sealed_presentation=None)
        )
        session.commit()
    raise AuthError("wrong viewing code")


def view_share_link(
    session: Session,
    *,
    link_id: str,
    code: Any,
    services: VerifierServices,
    sealer: Sealer,
    policy: ShareLinkPolicy,
    now: datetime,
) -> dict[str, Any]:
    link = session.get(ShareLink, link_id)
    if link is None:
        raise NotFound("no such link")
    if link.status != "active" or link.expires_at <= now or link.sealed_presentation is None:
        _gone(session, link, now)
    _check_code(session, link, code, sealer, policy)
    presentation = open_text(sealer, link.sealed_presentation, table=LINK_TABLE, row_id=link.id, field="presentation")
    # consume first: two viewers racing with the right code get one result between them
    taken = session.execute(
        update(_LINKS)
        .where(_LINKS.c.id == link.id, _LINKS.c.status == "active")
        .values(status="viewed", viewed_at=now, sealed_presentation=None)
    )
    if taken.rowcount != 1:
        session.rollback()
        raise LinkGone("this link has been used or has expired")
    session.commit()
    result = verify_presentation(
        session,
        presentation=presentation,
        profile=_viewing_profile(policy),
        trust=services.trust_for(session),
        status_checker=services.status_checker,
        nonce=link.nonce,
        audience=policy.url(link.id),
        now=int(now.timestamp()),
        registry=services.registry,
    )
    set_outcome(session, submission_id=link.submission_id, outcome="link_viewed" if result.valid else f"link_viewed:{result.code}", now=now)
    return {**result.public(), "viewed_at": now}
