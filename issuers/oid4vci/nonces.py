"""The nonce endpoint's c_nonces: stored hashed, expiring, consumed once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, update
from sqlmodel import Session

from issuers.oid4vci.codes import hash_secret, new_secret
from issuers.oid4vci.errors import InvalidNonce
from issuers.oid4vci.models import Oid4vciNonce

_NONCE = Oid4vciNonce.__table__  # type: ignore[attr-defined]
#: built once: on the credential endpoint's hot path, building it cost more than executing it
_CONSUME = (
    update(_NONCE)
    .where(_NONCE.c.nonce_hash == bindparam("hash"), _NONCE.c.used_at.is_(None), _NONCE.c.expires_at > bindparam("now"))
    .values(used_at=bindparam("now"))
)


def issue_nonce(session: Session, *, now: datetime, ttl: timedelta) -> str:
    """A fresh c_nonce, committed. The endpoint is anonymous: its caller (wallet_api) rate
    limits it and sweeps expired nonces a bounded batch at a time (``expires_at`` is indexed)."""
    nonce = new_secret()
    session.add(Oid4vciNonce(nonce_hash=hash_secret(nonce), created_at=now, expires_at=now + ttl))
    session.commit()
    return nonce


def consume_nonce(session: Session, *, nonce: str, now: datetime) -> None:
    """Mark the nonce used. Does NOT commit: the caller commits it with the credential it
    protects, so a failed issuance leaves the nonce usable and a successful one spends it.
    Under PostgreSQL the row lock makes a concurrent second use wait, then match nothing."""
    used = session.connection().execute(_CONSUME, {"hash": hash_secret(nonce), "now": now})
    if used.rowcount != 1:
        raise InvalidNonce("c_nonce is unknown, expired or already used; fetch a new one from the nonce endpoint")
