"""Service administrators' API: relying parties and agency operators (list, show, deactivate,
rotate the API key), the same as ``ecert rp|operator …``, for scripts."""

from typing import Any

from fastapi import APIRouter, Request

from issuers.audit_trail import ACTOR_ADMIN
from issuers.operators import OperatorPublic
from verifiers.models import RelyingPartyPublic
from wallet_api.admin import parties as party_admin
from wallet_api.auth.administrators import AdministratorDep, AdministratorPublic
from wallet_api.admin.audit_log import request_id_of
from wallet_api.deps import ClockDep, SessionDep, StateDep
from wallet_api.api_models.base import errors, typed
from wallet_api.api_models.admin import RotatedOperatorKey, RotatedPartyKey

router = APIRouter(prefix="/v1/admin", tags=["service admin"])


def _actor(admin: AdministratorPublic, request: Request) -> party_admin.Actor:
    return party_admin.Actor(name=f"{ACTOR_ADMIN}{admin.id}", request_id=request_id_of(request))


@router.get("/relying-parties")
def list_relying_parties(admin: AdministratorDep, session: SessionDep) -> list[RelyingPartyPublic]:
    return party_admin.relying_parties(session)


@router.get("/relying-parties/{client_id}", **errors(404))
def show_relying_party(client_id: str, admin: AdministratorDep, session: SessionDep) -> RelyingPartyPublic:
    return party_admin.relying_party(session, client_id=client_id)


@router.post("/relying-parties/{client_id}/deactivate", **errors(404))
def deactivate_relying_party(
    request: Request, client_id: str, admin: AdministratorDep, state: StateDep, session: SessionDep, clock: ClockDep
) -> RelyingPartyPublic:
    return party_admin.deactivate_party(session, state, client_id=client_id, actor=_actor(admin, request), now=clock.now())


@router.post("/relying-parties/{client_id}/rotate-key", **typed(RotatedPartyKey, 404))
def rotate_relying_party_key(
    request: Request, client_id: str, admin: AdministratorDep, state: StateDep, session: SessionDep, clock: ClockDep
) -> dict[str, Any]:
    rotated = party_admin.rotate_party_key(session, state, client_id=client_id, actor=_actor(admin, request), now=clock.now())
    return {"client_id": rotated.client_id, "api_key": rotated.api_key}


@router.get("/operators")
def list_operators(admin: AdministratorDep, session: SessionDep) -> list[OperatorPublic]:
    return party_admin.operators(session)


@router.get("/operators/{operator_id}", **errors(404))
def show_operator(operator_id: str, admin: AdministratorDep, session: SessionDep) -> OperatorPublic:
    return party_admin.operator(session, operator_id=operator_id)


@router.post("/operators/{operator_id}/deactivate", **errors(404))
def deactivate_operator(
    request: Request, operator_id: str, admin: AdministratorDep, state: StateDep, session: SessionDep, clock: ClockDep
) -> OperatorPublic:
    return party_admin.deactivate_agency_operator(session, state, operator_id=operator_id, actor=_actor(admin, request), now=clock.now())


@router.post("/operators/{operator_id}/rotate-key", **typed(RotatedOperatorKey, 404))
def rotate_operator_key(
    request: Request, operator_id: str, admin: AdministratorDep, state: StateDep, session: SessionDep, clock: ClockDep
) -> dict[str, Any]:
    rotated = party_admin.rotate_agency_operator_key(session, state, operator_id=operator_id, actor=_actor(admin, request), now=clock.now())
    return {"operator_id": rotated.operator_id, "api_key": rotated.api_key}
