"""Revoke, suspend and reinstate issued credentials; answer document-number checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from issuers.models import IssuedCredential, IssuedCredentialPublic
from issuers.status_lists.entries import get_status, set_status
from schemas.errors import Conflict, InvalidInput, NotFound
from schemas.registry import TypeRegistry
from schemas.status_list import INVALID, SUSPENDED, VALID

STATUS_BY_ACTION: dict[str, int] = {"revoke": INVALID, "suspend": SUSPENDED, "reinstate": VALID}
STATUS_NAMES: dict[int, str] = {VALID: "valid", INVALID: "revoked", SUSPENDED: "suspended"}


@dataclass(frozen=True)
class CredentialState:
    credential: IssuedCredentialPublic
    status: str
    expired: bool


def _owned_record(session: Session, *, record_id: str, agency_id: str) -> IssuedCredential:
    record = session.get(IssuedCredential, record_id)
    # another agency's credential is reported exactly like a missing one
    if record is None or record.agency_id != agency_id:
        raise NotFound("no such credential for this agency")
    return record


def change_status(session: Session, *, record_id: str, agency_id: str, action: str, now: datetime) -> CredentialState:
    if action not in STATUS_BY_ACTION:
        raise InvalidInput(f"unknown action {action!r}")
    record = _owned_record(session, record_id=record_id, agency_id=agency_id)
    current = get_status(session, list_id=record.status_list_id, idx=record.status_idx)
    if current == INVALID and action != "revoke":
        # revocation is final: a revoked certificate is reissued, never reinstated
        raise Conflict("a revoked credential cannot be suspended or reinstated")
    set_status(session, list_id=record.status_list_id, idx=record.status_idx, status=STATUS_BY_ACTION[action], now=now)
    session.commit()
    return credential_state(session, record, now=now)


def credential_state(session: Session, record: IssuedCredential, *, now: datetime) -> CredentialState:
    status = get_status(session, list_id=record.status_list_id, idx=record.status_idx)
    return CredentialState(
        credential=IssuedCredentialPublic.model_validate(record, from_attributes=True),
        status=STATUS_NAMES[status],
        expired=record.expires_at <= now,
    )


def agency_credential(session: Session, *, record_id: str, agency_id: str, now: datetime) -> CredentialState:
    return credential_state(session, _owned_record(session, record_id=record_id, agency_id=agency_id), now=now)


def lookup_document(session: Session, *, document_number: str, now: datetime) -> CredentialState:
    """문서확인번호 check: is the paper copy genuine (we issued it) and current?"""
    normalized = "".join(ch for ch in document_number if ch.isdigit())
    if len(normalized) != 16:
        raise InvalidInput("a document check number has 16 digits")
    formatted = "-".join(normalized[i : i + 4] for i in range(0, 16, 4))
    record = session.exec(select(IssuedCredential).where(IssuedCredential.document_number == formatted)).first()
    if record is None:
        raise NotFound("no certificate with this document check number")
    return credential_state(session, record, now=now)


def document_check(session: Session, *, document_number: str, registry: TypeRegistry, now: datetime) -> dict[str, Any]:
    """The public answer to a 문서확인번호 check: genuine and current, nothing about the holder."""
    state = lookup_document(session, document_number=document_number, now=now)
    record = state.credential
    type_def = registry.get(record.type_id)
    return {
        "document_number": record.document_number,
        "genuine": True,
        "current": state.status == "valid" and not state.expired,
        "status": "expired" if state.expired and state.status == "valid" else state.status,
        "type_id": record.type_id,
        "type_name": type_def.name.model_dump(),
        "agency": type_def.agency.model_dump(),
        "issued_at": record.issued_at.isoformat(),
        "expires_at": record.expires_at.isoformat(),
    }
