"""Holder access tokens: opaque random bearer tokens, stored only as their sha-256.

Why opaque rather than a signed JWT: every holder request already reads the database (the
holder's rows), so a lookup costs nothing extra, and it makes revocation immediate: revoking
a device deletes its tokens and the very next request fails. There is no token-signing key
to protect or rotate. Tokens are 256-bit random, so a fast unsalted hash is enough.

Two scopes: ``device`` (signed in with a device key; every holder route) and ``enrolment``
(handed out at enrolment; can only register a device).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session

from schemas.errors import AuthError
from wallet_api.wallet.models import AccessToken, Device

TOKEN_PREFIX = "ecwt_"
SCOPE_DEVICE = "device"
SCOPE_ENROLMENT = "enrolment"


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    scope: str
    expires_at: datetime


@dataclass(frozen=True)
class HolderPrincipal:
    """Who is calling: the holder, and the device they signed in with (None: enrolment)."""

    holder_id: str
    device_id: str | None
    scope: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue(session: Session, *, holder_id: str, device_id: str | None, scope: str, now: datetime, ttl_s: int) -> IssuedToken:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = now + timedelta(seconds=ttl_s)
    session.add(
        AccessToken(
            token_sha256=_hash(token), holder_id=holder_id, device_id=device_id, scope=scope, created_at=now, expires_at=expires_at
        )
    )
    return IssuedToken(token, scope, expires_at)


def issue_enrolment_token(session: Session, *, holder_id: str, now: datetime, ttl_s: int) -> IssuedToken:
    """Added to the session; the caller commits with the enrolment."""
    return _issue(session, holder_id=holder_id, device_id=None, scope=SCOPE_ENROLMENT, now=now, ttl_s=ttl_s)


def issue_device_token(session: Session, *, holder_id: str, device_id: str, now: datetime, ttl_s: int) -> IssuedToken:
    return _issue(session, holder_id=holder_id, device_id=device_id, scope=SCOPE_DEVICE, now=now, ttl_s=ttl_s)


def authenticate_token(session: Session, *, token: str, now: datetime) -> HolderPrincipal:
    row = session.get(AccessToken, _hash(token))
    if row is None or row.expires_at <= now:
        raise AuthError("the access token is unknown or expired")
    if row.device_id is not None:
        device = session.get(Device, row.device_id)
        # belt and braces: revocation deletes the tokens, and a revoked device is refused anyway
        if device is None or device.revoked_at is not None:
            raise AuthError("the device of this access token has been revoked")
    return HolderPrincipal(row.holder_id, row.device_id, row.scope)


def revoke_device_tokens(session: Session, *, device_id: str) -> None:
    session.execute(delete(AccessToken).where(AccessToken.device_id == device_id))  # type: ignore[arg-type]
