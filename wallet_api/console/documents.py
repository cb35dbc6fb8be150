"""The document check (문서확인번호): genuine and current, and nothing about the holder."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from issuers.credential_status import document_check
from schemas.errors import InvalidInput, NotFound
from schemas.registry import TypeRegistry

MAX_NUMBER = 64


def check_document(session: Session, *, number: Any, registry: TypeRegistry, now: datetime) -> dict[str, Any]:
    if not isinstance(number, str) or not number.strip() or len(number) > MAX_NUMBER:
        raise InvalidInput(f"a document check number is 1-{MAX_NUMBER} characters")
    try:
        answer = document_check(session, document_number=number.strip(), registry=registry, now=now)
    except NotFound:
        # "no such number" is the answer the clerk needs, not an error
        return {"found": False, "document_number": number.strip()}
    return {"found": True, **answer}
