"""Relying-party and operator lifecycle for administrators (``ecert rp|operator …`` and
``/v1/admin/relying-parties|operators``): list, show, deactivate, rotate the API key.

Each change commits together with its audit entry; ending a relying party (or rotating
its key after a leak) also ends its console sessions in the same transaction. Both
commands and routes call these, so the CLI and the HTTP API cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from issuers.audit_trail import AuditEvent
from issuers.operators import (
    OperatorPublic,
    deactivate_operator,
    list_operators,
    operator_by_id,
    rotate_operator_key,
)
from verifiers.models import RelyingPartyPublic
from verifiers.relying_parties import (
    deactivate_relying_party,
    list_relying_parties,
    relying_party_by_client_id,
    rotate_relying_party_key,
)
from wallet_api.admin.audit_log import record
from wallet_api.console.sessions import end_party_sessions
from wallet_api.state import AppState


@dataclass(frozen=True)
class Actor:
    """Who asks (``cli``, ``admin:<id>``) and under which request id."""

    name: str
    request_id: str | None = None


@dataclass(frozen=True)
class RelyingPartyKey:
    client_id: str
    #: shown once; only its hash is stored
    api_key: str


@dataclass(frozen=True)
class OperatorKey:
    operator_id: str
    api_key: str


def _audit(session: Session, state: AppState, actor: Actor, action: str, target: str, *, now: datetime, agency_id: str | None = None) -> None:
    event = AuditEvent(actor=actor.name, action=action, target=target, agency_id=agency_id, request_id=actor.request_id)
    record(session, state, event, now=now, commit=False)


def relying_parties(session: Session) -> list[RelyingPartyPublic]:
    return list_relying_parties(session)


def relying_party(session: Session, *, client_id: str) -> RelyingPartyPublic:
    return RelyingPartyPublic.model_validate(relying_party_by_client_id(session, client_id=client_id), from_attributes=True)


def deactivate_party(session: Session, state: AppState, *, client_id: str, actor: Actor, now: datetime) -> RelyingPartyPublic:
    row = deactivate_relying_party(session, client_id=client_id)
    end_party_sessions(session, relying_party_id=row.id)
    _audit(session, state, actor, "relying_party.deactivate", f"relying_party:{row.client_id}", now=now)
    session.commit()
    return RelyingPartyPublic.model_validate(row, from_attributes=True)


def rotate_party_key(session: Session, state: AppState, *, client_id: str, actor: Actor, now: datetime) -> RelyingPartyKey:
    row, api_key = rotate_relying_party_key(session, client_id=client_id)
    # whoever held the old key may have signed in to the console with it
    end_party_sessions(session, relying_party_id=row.id)
    _audit(session, state, actor, "relying_party.rotate_key", f"relying_party:{row.client_id}", now=now)
    session.commit()
    return RelyingPartyKey(client_id=row.client_id, api_key=api_key)


def record_party_added(session: Session, state: AppState, *, client_id: str, actor: Actor, now: datetime) -> None:
    _audit(session, state, actor, "relying_party.add", f"relying_party:{client_id}", now=now)
    session.commit()


def operators(session: Session) -> list[OperatorPublic]:
    return list_operators(session)


def operator(session: Session, *, operator_id: str) -> OperatorPublic:
    return OperatorPublic.model_validate(operator_by_id(session, operator_id=operator_id), from_attributes=True)


def deactivate_agency_operator(session: Session, state: AppState, *, operator_id: str, actor: Actor, now: datetime) -> OperatorPublic:
    public = deactivate_operator(session, operator_id=operator_id)
    _audit(session, state, actor, "operator.deactivate", f"operator:{public.id}", now=now, agency_id=public.agency_id)
    session.commit()
    return public


def rotate_agency_operator_key(session: Session, state: AppState, *, operator_id: str, actor: Actor, now: datetime) -> OperatorKey:
    created = rotate_operator_key(session, operator_id=operator_id)
    op = created.operator
    _audit(session, state, actor, "operator.rotate_key", f"operator:{op.id}", now=now, agency_id=op.agency_id)
    session.commit()
    return OperatorKey(operator_id=op.id, api_key=created.api_key)


def record_operator_added(session: Session, state: AppState, *, operator: OperatorPublic, actor: Actor, now: datetime) -> None:
    _audit(session, state, actor, "operator.add", f"operator:{operator.id}", now=now, agency_id=operator.agency_id)
    session.commit()
