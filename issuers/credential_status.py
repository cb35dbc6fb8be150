"""Revoke, suspend and reinstate issued credentials; find an agency's records; answer
document-number checks."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, and_, col, or_, select

from issuers.audit_trail import AuditEvent, CheckpointPolicy, append
from issuers.models import IssuedCredential, IssuedCredentialPublic
from issuers.pipeline import SUBJECT_LOOKUP_PURPOSE
from keys.sealing import Sealer
from issuers.status_lists.entries import get_status, set_status
from schemas.errors import Conflict, InvalidInput, NotFound
from schemas.registry import TypeRegistry
from schemas.status_list import INVALID, SUSPENDED, VALID

STATUS_BY_ACTION: dict[str, int] = {"revoke": INVALID, "suspend": SUSPENDED, "reinstate": VALID}
STATUS_NAMES: dict[int, str] = {VALID: "valid", INVALID: "revoked", SUSPENDED: "suspended"}
#: why a status changed: kept with the record (never in the public status list) and audited
REASON_CODES: tuple[str, ...] = (
    "holder_request",
    "data_corrected",
    "device_lost",
    "key_compromise",
    "fraud",
    "court_order",
    "deceased",
    "issued_in_error",
    "investigation_closed",
    "other",
)
#: the longest free-text note an operator may add to a reason
NOTE_MAX = 500


@dataclass(frozen=True)
class StatusChangeReason:
    code: str
    note: str | None = None

    def __post_init__(self) -> None:
        if self.code not in REASON_CODES:
            raise InvalidInput(f"unknown reason {self.code!r}; one of {', '.join(REASON_CODES)}")
        if self.note is not None and len(self.note) > NOTE_MAX:
            raise InvalidInput(f"a note has at most {NOTE_MAX} characters")


@dataclass(frozen=True)
class StatusChangeAudit:
    """Who asks for a change, for the audit trail (``actor`` as audit_trail names actors)."""

    actor: str
    request_id: str | None = None
    policy: CheckpointPolicy | None = None


@dataclass(frozen=True)
class CredentialState:
    credential: IssuedCredentialPublic
    status: str
    expired: bool
    subject_ref: str = ""
    status_reason: str | None = None
    status_note: str | None = None
    status_changed_at: datetime | None = None
    status_changed_by: str | None = None


def _owned_record(session: Session, *, record_id: str, agency_id: str) -> IssuedCredential:
    record = session.get(IssuedCredential, record_id)
    # another agency's credential is reported exactly like a missing one
    if record is None or record.agency_id != agency_id:
        raise NotFound("no such credential for this agency")
    return record


def change_status(
    session: Session,
    *,
    record_id: str,
    agency_id: str,
    action: str,
    now: datetime,
    reason: StatusChangeReason | None = None,
    audit: StatusChangeAudit | None = None,
) -> CredentialState:
    """Set the record's status; with ``audit``, the change and its audit entry commit together.

    Operators always give a ``reason`` (the API and CLI require one); the holder's device
    revocation path passes none and is audited as one device event by its caller.
    """
    if action not in STATUS_BY_ACTION:
        raise InvalidInput(f"unknown action {action!r}")
    record = _owned_record(session, record_id=record_id, agency_id=agency_id)
    current = get_status(session, list_id=record.status_list_id, idx=record.status_idx)
    if current == INVALID and action != "revoke":
        # revocation is final: a revoked certificate is reissued, never reinstated
        raise Conflict("a revoked credential cannot be suspended or reinstated")
    set_status(session, list_id=record.status_list_id, idx=record.status_idx, status=STATUS_BY_ACTION[action], now=now)
    record.status_reason = reason.code if reason is not None else None
    record.status_note = reason.note if reason is not None else None
    record.status_changed_at = now
    record.status_changed_by = audit.actor if audit is not None else None
    session.add(record)
    if audit is not None:
        event = AuditEvent(
            actor=audit.actor,
            action=f"credential.{action}",
            target=f"credential:{record.id}",
            agency_id=record.agency_id,
            reason=reason.code if reason is not None else None,
            request_id=audit.request_id,
        )
        append(session, event, now=now, policy=audit.policy)
    session.commit()
    return credential_state(session, record, now=now)


def credential_state(session: Session, record: IssuedCredential, *, now: datetime) -> CredentialState:
    status = get_status(session, list_id=record.status_list_id, idx=record.status_idx)
    return CredentialState(
        credential=IssuedCredentialPublic.model_validate(record, from_attributes=True),
        status=STATUS_NAMES[status],
        expired=record.expires_at <= now,
        subject_ref=record.subject_ref,
        status_reason=record.status_reason,
        status_note=record.status_note,
        status_changed_at=record.status_changed_at,
        status_changed_by=record.status_changed_by,
    )


def normalize_document_number(document_number: str) -> str:
    """``1234567812345678`` or ``1234-5678-1234-5678`` → the stored ``1234-5678-1234-5678``."""
    normalized = "".join(ch for ch in document_number if ch.isdigit())
    if len(normalized) != 16:
        raise InvalidInput("a document check number has 16 digits")
    return "-".join(normalized[i : i + 4] for i in range(0, 16, 4))


def person_ref(sealer: Sealer, rrn: str) -> str:
    """The keyed hash stored as ``subject_ref`` for a resident registration number
    (``YYMMDD-GNNNNNN``, with or without the hyphen): find a person's records without
    the number ever being stored or compared in clear."""
    digits = "".join(ch for ch in rrn if ch.isdigit())
    if len(digits) != 13 or len(rrn.strip()) not in (13, 14):
        raise InvalidInput("a resident registration number has 13 digits (YYMMDD-GNNNNNN)")
    return sealer.lookup_hash(f"{digits[:6]}-{digits[6:]}", purpose=SUBJECT_LOOKUP_PURPOSE)


def is_document_number(reference: str) -> bool:
    """A 문서확인번호 (16 digits, hyphens allowed) rather than a record id (32 hex)."""
    digits = reference.replace("-", "")
    return len(digits) == 16 and digits.isdigit()


def resolve_record_id(session: Session, *, reference: str, agency_id: str) -> str:
    """A record id, or the record id behind a document check number."""
    if is_document_number(reference):
        return record_id_for_document(session, document_number=reference, agency_id=agency_id)
    return reference


def record_id_for_document(session: Session, *, document_number: str, agency_id: str | None) -> str:
    """The record behind a document check number, if this agency (None: any) issued it."""
    formatted = normalize_document_number(document_number)
    record = session.exec(select(IssuedCredential).where(IssuedCredential.document_number == formatted)).first()
    if record is None or (agency_id is not None and record.agency_id != agency_id):
        raise NotFound("no such credential for this agency")
    return record.id


@dataclass(frozen=True)
class RecordQuery:
    """What an operator looks for; every field narrows (None: any)."""

    document_number: str | None = None
    #: the keyed hash of the person's RRN (``IssuedCredential.subject_ref``), never the RRN
    subject_ref: str | None = None
    type_id: str | None = None
    issued_since: datetime | None = None
    issued_until: datetime | None = None


@dataclass(frozen=True)
class RecordPage:
    records: list[CredentialState]
    #: pass back as ``cursor`` for the next page; None on the last page
    next_cursor: str | None


#: the largest page ``find_records`` returns
PAGE_MAX = 200


def _encode_cursor(record: IssuedCredential) -> str:
    raw = json.dumps([record.issued_at.isoformat(), record.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        issued_at, record_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return datetime.fromisoformat(issued_at), str(record_id)
    except (ValueError, TypeError):
        raise InvalidInput("cursor is not one this service returned") from None


def find_records(
    session: Session, *, agency_id: str | None, query: RecordQuery, now: datetime, limit: int = 50, cursor: str | None = None
) -> RecordPage:
    """An agency's records (``agency_id`` None: every agency's, for the service's own CLI),
    newest issue first; keyset-paginated by (issued_at, id) so pages do not shift when
    new records arrive."""
    if not 1 <= limit <= PAGE_MAX:
        raise InvalidInput(f"limit must be 1-{PAGE_MAX}")
    statement = select(IssuedCredential)
    if agency_id is not None:
        statement = statement.where(IssuedCredential.agency_id == agency_id)
    if query.document_number is not None:
        statement = statement.where(IssuedCredential.document_number == normalize_document_number(query.document_number))
    if query.subject_ref is not None:
        statement = statement.where(IssuedCredential.subject_ref == query.subject_ref)
    if query.type_id is not None:
        statement = statement.where(IssuedCredential.type_id == query.type_id)
    if query.issued_since is not None:
        statement = statement.where(col(IssuedCredential.issued_at) >= query.issued_since)
    if query.issued_until is not None:
        statement = statement.where(col(IssuedCredential.issued_at) < query.issued_until)
    if cursor is not None:
        issued_at, record_id = _decode_cursor(cursor)
        statement = statement.where(
            or_(
                col(IssuedCredential.issued_at) < issued_at,
                and_(col(IssuedCredential.issued_at) == issued_at, col(IssuedCredential.id) < record_id),
            )
        )
    statement = statement.order_by(col(IssuedCredential.issued_at).desc(), col(IssuedCredential.id).desc()).limit(limit + 1)
    rows = list(session.exec(statement).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return RecordPage(
        records=[credential_state(session, row, now=now) for row in rows],
        next_cursor=_encode_cursor(rows[-1]) if more and rows else None,
    )


def record_agency(session: Session, *, record_id: str) -> str:
    """Which agency issued a record (the service's own CLI acts for the issuing agency)."""
    record = session.get(IssuedCredential, record_id)
    if record is None:
        raise NotFound("no such credential")
    return record.agency_id


def agency_credential(session: Session, *, record_id: str, agency_id: str, now: datetime) -> CredentialState:
    return credential_state(session, _owned_record(session, record_id=record_id, agency_id=agency_id), now=now)


def lookup_document(session: Session, *, document_number: str, now: datetime) -> CredentialState:
    """문서확인번호 check: is the paper copy genuine (we issued it) and current?"""
    formatted = normalize_document_number(document_number)
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
