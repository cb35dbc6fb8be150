"""The document check (문서확인번호): genuine and current, and nothing about the holder."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from issuers.credential_status import lookup_document
from schemas.errors import InvalidInput, NotFound
from schemas.registry import TypeRegistry

MAX_NUMBER = 64


def check_document(session: Session, *, number: Any, registry: TypeRegistry, now: datetime) -> dict[str, Any]:
    if not isinstance(number, str) or not number.strip() or len(number) > MAX_NUMBER:
        raise InvalidInput(f"a document check number is 1-{MAX_NUMBER} characters")
    try:
        state = lookup_document(session, document_number=number.strip(), now=now)
    except NotFound:
        # "no such number" is the answer the clerk needs, not an error
        return {"found": False, "document_number": number.strip()}
    record = state.credential
    type_def = registry.get(record.type_id)
    return {
        "found": True,
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
