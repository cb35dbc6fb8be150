"""Issuer admin API for agency operators: credential status changes."""

from typing import Any, Literal

from fastapi import APIRouter

from issuers.credential_status import CredentialState, agency_credential, change_status
from wallet_api.auth_operator import OperatorDep
from wallet_api.deps import ClockDep, SessionDep

router = APIRouter(prefix="/v1/admin", tags=["issuer admin"])


def _public(state: CredentialState) -> dict[str, Any]:
    return {**state.credential.model_dump(mode="json"), "status": state.status, "expired": state.expired}


@router.get("/credentials/{record_id}")
def get_credential(record_id: str, operator: OperatorDep, session: SessionDep, clock: ClockDep) -> dict[str, Any]:
    return _public(agency_credential(session, record_id=record_id, agency_id=operator.agency_id, now=clock.now()))


@router.post("/credentials/{record_id}/{action}")
def set_credential_status(
    record_id: str,
    action: Literal["revoke", "suspend", "reinstate"],
    operator: OperatorDep,
    session: SessionDep,
    clock: ClockDep,
) -> dict[str, Any]:
    state = change_status(session, record_id=record_id, agency_id=operator.agency_id, action=action, now=clock.now())
    return _public(state)
