"""Wires the issuer-side audit trail (``issuers.audit_trail``) into the app: who the actor
is, the request id, and the checkpoint signer (the active issuer key, via ``state.signers``).
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from fastapi import Request
from sqlmodel import Session

from issuers.audit_trail import ACTOR_HOLDER, AuditEvent, CheckpointPolicy, append
from issuers.oid4vci.offers import OfferCreated
from wallet_api.state import AppState

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def checkpoint_policy(state: AppState) -> CheckpointPolicy:
    return CheckpointPolicy(
        signer=state.signers.active_signer,
        every_entries=state.settings.audit_checkpoint_entries,
        every_s=state.settings.audit_checkpoint_interval_s,
    )


def request_id_of(request: Request) -> str:
    """The request id a middleware set, else a well-formed ``X-Request-ID``, else a new one."""
    found = getattr(request.state, "request_id", None)
    if isinstance(found, str) and _REQUEST_ID.match(found):
        return found
    header = request.headers.get("x-request-id", "")
    return header if _REQUEST_ID.match(header) else uuid.uuid4().hex


def record(session: Session, state: AppState, event: AuditEvent, *, now: datetime, commit: bool = True) -> None:
    """Append one entry (and commit, unless the caller commits it with its own change)."""
    append(session, event, now=now, policy=checkpoint_policy(state))
    if commit:
        session.commit()


def record_device_revocation(session: Session, *, holder_id: str, device_id: str, now: datetime) -> None:
    """The holder revoked a device (lost phone): one entry, in the caller's transaction.

    Called from the device revocation path, which has no app state: this append signs no
    checkpoint; the next audited action with a policy signs the head (it catches up).
    """
    append(
        session,
        AuditEvent(actor=f"{ACTOR_HOLDER}{holder_id}", action="device.revoke", target=f"device:{device_id}", reason="device_lost"),
        now=now,
    )


def record_offer(
    session: Session, state: AppState, created: OfferCreated, *, actor: str, agency_id: str | None, request_id: str | None, now: datetime
) -> None:
    """An offer was made: which offer, never the person or the codes."""
    event = AuditEvent(actor=actor, action="offer.create", target=f"offer:{created.offer_id}", agency_id=agency_id,
                       request_id=request_id)
    record(session, state, event, now=now)


def record_key_event(session: Session, state: AppState, *, action: str, kid: str, actor: str, now: datetime) -> None:
    """key.create, key.rotate (the new key), key.retire (the old one)."""
    record(session, state, AuditEvent(actor=actor, action=action, target=f"key:{kid}"), now=now)
