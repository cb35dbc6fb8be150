"""Service administrators: who may deactivate and re-key relying parties and operators
over HTTP (``/v1/admin/relying-parties``, ``/v1/admin/operators``). Created with
``ecert admin add``; the API key is shown once and stored as its sha-256 (random 256-bit
keys: a fast hash is enough)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Field, Session, SQLModel, select

from schemas.errors import AuthError, InvalidInput
from wallet_api.deps import SessionDep

API_KEY_PREFIX = "eadm_"


class AdministratorBase(SQLModel):
    name: str = Field(max_length=120)
    created_at: datetime
    active: bool = True


class Administrator(AdministratorBase, table=True):
    __tablename__ = "service_administrator"

    id: str = Field(primary_key=True, max_length=32)
    api_key_hash: str = Field(max_length=64, unique=True)


class AdministratorPublic(AdministratorBase):
    id: str


@dataclass(frozen=True)
class AdministratorCreated:
    administrator: AdministratorPublic
    api_key: str


def _hash_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def add_administrator(session: Session, *, name: str, now: datetime) -> AdministratorCreated:
    if not name.strip():
        raise InvalidInput("an administrator needs a name")
    api_key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    row = Administrator(id=uuid.uuid4().hex, name=name.strip(), created_at=now, api_key_hash=_hash_key(api_key))
    session.add(row)
    session.flush()
    return AdministratorCreated(AdministratorPublic.model_validate(row, from_attributes=True), api_key)


def authenticate_administrator(session: Session, api_key: str) -> AdministratorPublic:
    row = session.exec(select(Administrator).where(Administrator.api_key_hash == _hash_key(api_key))).first()
    if row is None or not row.active:
        raise AuthError("unknown or inactive administrator API key")
    return AdministratorPublic.model_validate(row, from_attributes=True)


_bearer = HTTPBearer(auto_error=False, scheme_name="AdministratorApiKey")


def current_administrator(
    session: SessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> AdministratorPublic:
    if credentials is None:
        raise AuthError("administrator API key required")
    return authenticate_administrator(session, credentials.credentials)


AdministratorDep = Annotated[AdministratorPublic, Depends(current_administrator)]
