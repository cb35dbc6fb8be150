"""Agency operators: the people (or systems) at MOIS, NTS, ... who revoke, suspend and
create offers. An operator acts only for its own agency."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Field, Session, SQLModel, select

from schemas.errors import AuthError

API_KEY_PREFIX = "eop_"


class OperatorBase(SQLModel):
    name: str = Field(max_length=120)
    agency_id: str = Field(max_length=32, index=True)
    created_at: datetime


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
    if row is None:
        raise AuthError("unknown operator API key")
    return OperatorPublic.model_validate(row, from_attributes=True)
