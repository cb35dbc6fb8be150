"""Wires the issuing side into the app: the context every issuance path uses."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlmodel import Session

from issuers.pipeline import IssuerServices
from wallet_api.deps import SessionDep, StateDep
from wallet_api.state import AppState


def issuer_services(state: AppState, session: Session) -> IssuerServices:
    return IssuerServices(
        issuer_id=state.settings.issuer_id,
        signer=state.signers.active_signer(session),
        registry=state.registry,
        adapters=state.adapters,
        status_list_size=state.settings.status_list_size,
        sealer=state.sealer,
        allocator=state.status_allocator,
    )


def get_issuer_services(state: StateDep, session: SessionDep) -> IssuerServices:
    return issuer_services(state, session)


IssuerServicesDep = Annotated[IssuerServices, Depends(get_issuer_services)]
