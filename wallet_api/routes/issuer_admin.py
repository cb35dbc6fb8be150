"""Issuer admin API for agency operators: find records, change their status, read the audit trail."""

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from issuers.audit_trail import ACTOR_OPERATOR, AuditEntryPublic, agency_entries
from issuers.credential_status import (
    NOTE_MAX,
    REASON_CODES,
    CredentialState,
    RecordQuery,
    StatusChangeAudit,
    StatusChangeReason,
    agency_credential,
    change_status,
    find_records,
    person_ref,
    resolve_record_id,
)
from wallet_api.admin.audit_log import checkpoint_policy, request_id_of
from wallet_api.auth.operators import OperatorDep
from wallet_api.deps import ClockDep, SessionDep, StateDep
from wallet_api.api_models.base import typed
from wallet_api.api_models.issuing import AuditPage, CredentialRecord, CredentialRecordPage

router = APIRouter(prefix="/v1/admin", tags=["issuer admin"])

ReasonCode = Literal[REASON_CODES]  # type: ignore[valid-type]


class StatusChangeRequest(BaseModel):
    """Why: a code from the fixed list (required), and an optional note kept with the record."""

    reason: ReasonCode
    note: str | None = Field(default=None, max_length=NOTE_MAX)


class RecordSearch(BaseModel):
    """``POST /v1/admin/credentials/search``: the resident registration number travels in
    the body, never in a URL (URLs end up in access logs)."""

    document: str | None = None
    person: str | None = Field(default=None, max_length=14)
    type: str | None = Field(default=None, max_length=64)
    since: datetime | None = None
    until: datetime | None = None
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=400)


def _public(state: CredentialState) -> dict[str, Any]:
    return {
        **state.credential.model_dump(mode="json"),
        "status": state.status,
        "expired": state.expired,
        "person_ref": state.subject_ref,
        "status_reason": state.status_reason,
        "status_note": state.status_note,
        "status_changed_at": state.status_changed_at.isoformat() if state.status_changed_at else None,
        "status_changed_by": state.status_changed_by,
    }


def _page(session: SessionDep, agency_id: str, query: RecordQuery, *, now: datetime, limit: int, cursor: str | None) -> dict[str, Any]:
    page = find_records(session, agency_id=agency_id, query=query, now=now, limit=limit, cursor=cursor)
    return {"records": [_public(r) for r in page.records], "next_cursor": page.next_cursor}


@router.get("/credentials", **typed(CredentialRecordPage))
def find_credentials(
    operator: OperatorDep,
    session: SessionDep,
    clock: ClockDep,
    document: str | None = None,
    person_ref: Annotated[str | None, Query(max_length=64)] = None,
    type: Annotated[str | None, Query(max_length=64)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
) -> dict[str, Any]:
    """This agency's records, newest first; ``next_cursor`` pages on (keyset pagination)."""
    query = RecordQuery(document_number=document, subject_ref=person_ref, type_id=type, issued_since=since, issued_until=until)
    return _page(session, operator.agency_id, query, now=clock.now(), limit=limit, cursor=cursor)


@router.post("/credentials/search", **typed(CredentialRecordPage))
def search_credentials(body: RecordSearch, operator: OperatorDep, state: StateDep, session: SessionDep, clock: ClockDep) -> dict[str, Any]:
    """As ``GET /v1/admin/credentials``, with the person given by resident registration number."""
    subject_ref = person_ref(state.sealer, body.person) if body.person is not None else None
    query = RecordQuery(document_number=body.document, subject_ref=subject_ref, type_id=body.type,
                        issued_since=body.since, issued_until=body.until)
    return _page(session, operator.agency_id, query, now=clock.now(), limit=body.limit, cursor=body.cursor)


@router.get("/credentials/{record_id}", **typed(CredentialRecord, 404))
def get_credential(record_id: str, operator: OperatorDep, session: SessionDep, clock: ClockDep) -> dict[str, Any]:
    """By record id or document check number."""
    record_id = resolve_record_id(session, reference=record_id, agency_id=operator.agency_id)
    return _public(agency_credential(session, record_id=record_id, agency_id=operator.agency_id, now=clock.now()))


@router.post("/credentials/{record_id}/{action}", **typed(CredentialRecord, 404, 409))
def set_credential_status(
    request: Request,
    record_id: str,
    action: Literal["revoke", "suspend", "reinstate"],
    body: StatusChangeRequest,
    operator: OperatorDep,
    state: StateDep,
    session: SessionDep,
    clock: ClockDep,
) -> dict[str, Any]:
    """By record id or document check number; the reason is kept with the record and audited."""
    record_id = resolve_record_id(session, reference=record_id, agency_id=operator.agency_id)
    audit = StatusChangeAudit(actor=f"{ACTOR_OPERATOR}{operator.id}", request_id=request_id_of(request), policy=checkpoint_policy(state))
    result = change_status(
        session,
        record_id=record_id,
        agency_id=operator.agency_id,
        action=action,
        now=clock.now(),
        reason=StatusChangeReason(body.reason, body.note),
        audit=audit,
    )
    return _public(result)


@router.get("/audit", **typed(AuditPage))
def read_audit(
    operator: OperatorDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    before: Annotated[int | None, Query(ge=1, description="the last seq of the previous page")] = None,
) -> dict[str, Any]:
    """This agency's audit entries, newest first; ``next_before`` pages back."""
    entries: list[AuditEntryPublic] = agency_entries(session, agency_id=operator.agency_id, limit=limit, before_seq=before)
    return {
        "entries": [e.model_dump(mode="json") for e in entries],
        "next_before": entries[-1].seq if len(entries) == limit else None,
    }
