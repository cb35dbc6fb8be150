"""Proofs made by a device key over a single-use server challenge: sign-in and registration.

Both are a compact JWS the app signs with the device's private key::

    header  {"alg": <the key's alg>, "typ": <the purpose's typ>, ...}
    payload {"challenge": <challenge>, "aud": <audience>, "iat": <now>}

The verifying key is one the server already holds (the registered device's for sign-in, the
JWK being registered for registration); the algorithm is that key's, never the header's, and
header-supplied keys are refused (``keys.jws``). The ``typ`` keeps a proof made for one
purpose from being accepted for the other. A challenge is spent with a conditional UPDATE,
so of two uses, from any worker, exactly one succeeds.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, select, update
from sqlmodel import Session

from keys.errors import KeyLayerError
from keys.jws import UnverifiedJWS, VerificationKey, verify_compact
from schemas.errors import Replayed, WalletError

#: how far a proof's iat may be from now, beyond the configured clock skew
IAT_WINDOW_S = 300


def proof_challenge(
    parsed: UnverifiedJWS,
    key: VerificationKey,
    *,
    typ: str,
    audience: str,
    now: datetime,
    leeway_s: int,
    what: str,
    error: type[WalletError],
) -> str:
    """The challenge a proof signed by ``key`` carries; raises ``error`` on any defect."""
    try:
        payload: dict[str, Any] = verify_compact(parsed, key, expected_typ=typ).payload
    except KeyLayerError as exc:
        raise error(f"{what}: {exc}") from None
    if payload.get("aud") != audience:
        raise error(f"the {what} is addressed elsewhere")
    iat = payload.get("iat")
    epoch = int(now.timestamp())
    if not isinstance(iat, int) or isinstance(iat, bool) or abs(iat - epoch) > leeway_s + IAT_WINDOW_S:
        raise error(f"the {what}'s iat is missing or not current")
    challenge = payload.get("challenge")
    if not isinstance(challenge, str):
        raise error(f"the {what} carries no challenge")
    return challenge


def spend_challenge(
    session: Session,
    table: Table,
    *,
    challenge: str,
    now: datetime,
    what: str,
    error: type[WalletError],
    **bound_to: str,
) -> None:
    """Mark ``challenge`` used, in the caller's transaction (the caller commits).

    ``bound_to`` names columns the row must match (e.g. ``holder_id``): a challenge issued to
    someone else is reported exactly like an unknown one. A used one is ``replayed``.
    """
    matching = [table.c[column] == value for column, value in bound_to.items()]
    spent = session.execute(
        update(table)
        .where(table.c.id == challenge, table.c.used_at.is_(None), table.c.expires_at > now, *matching)
        .values(used_at=now)
    )
    if spent.rowcount == 1:  # type: ignore[attr-defined]
        return
    session.rollback()
    found = session.execute(select(table.c.used_at).where(table.c.id == challenge, *matching)).first()
    if found is not None and found.used_at is not None:
        raise Replayed(f"this {what} challenge has already been used")
    raise error(f"unknown or expired {what} challenge")
