"""Agency operators: the people (or systems) at MOIS, NTS, ... who revoke, suspend and
create offers. An operator acts only for its own agency."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Field, Session, SQLModel, select

from schemas.errors import AuthError, Conflict, NotFound

API_KEY_PREFIX = "eop_"


class OperatorBase(SQLModel):
    name: str = Field(max_length=120)
    agency_id: str = Field(max_length=32, index=True)
    created_at: datetime
    #: a deactivated operator's key is refused at once (operators are not cached)
    active: bool = True


class Operator(OperatorBase, table=True):
    __tablename__ = "issuers_operator"

    id: str = Field(primary_key=True, max_length=32)
    #: sha-256 of the API key; the key itself is shown once
    api_key_hash: str = Field(max_length=64, unique=True)


class OperatorPublic(OperatorBase):
    id: str


@dataclass(frozen=True)
class OperatorCreated:
    operator: OperatorPublic
    api_key: str


def _hash_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def add_operator(session: Session, *, name: str, agency_id: str, now: datetime) -> OperatorCreated:
    api_key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    row = Operator(id=uuid.uuid4().hex, name=name, agency_id=agency_id, created_at=now, api_key_hash=_hash_key(api_key))
    session.add(row)
    session.commit()
    return OperatorCreated(operator=OperatorPublic.model_validate(row, from_attributes=True), api_key=api_key)


def authenticate_operator(session: Session, api_key: str) -> OperatorPublic:
    row = session.exec(select(Operator).where(Operator.api_key_hash == _hash_key(api_key))).first()
    if row is None or not row.active:
        raise AuthError("unknown or inactive operator API key")
    return OperatorPublic.model_validate(row, from_attributes=True)


def list_operators(session: Session) -> list[OperatorPublic]:
    rows = session.exec(select(Operator).order_by(Operator.created_at)).all()  # type: ignore[arg-type]
    return [OperatorPublic.model_validate(r, from_attributes=True) for r in rows]


def operator_by_id(session: Session, *, operator_id: str) -> Operator:
    row = session.get(Operator, operator_id)
    if row is None:
        raise NotFound("no operator has this id")
    return row


def deactivate_operator(session: Session, *, operator_id: str) -> OperatorPublic:
    """Its key is refused from the next request on; the caller commits (with the audit entry)."""
    row = operator_by_id(session, operator_id=operator_id)
    row.active = False
    session.add(row)
    session.flush()
    return OperatorPublic.model_validate(row, from_attributes=True)


def rotate_operator_key(session: Session, *, operator_id: str) -> OperatorCreated:
    """A new API key (returned once); the old one is refused from the next request on."""
    row = operator_by_id(session, operator_id=operator_id)
    if not row.active:
        raise Conflict("a deactivated operator gets no new key")
    api_key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    row.api_key_hash = _hash_key(api_key)
    session.add(row)
    session.flush()
    return OperatorCreated(operator=OperatorPublic.model_validate(row, from_attributes=True), api_key=api_key)
