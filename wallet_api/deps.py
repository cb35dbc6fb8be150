"""Dependencies as Annotated aliases: the one place routes get state, sessions and time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from keys.sealing import Sealer
from schemas.registry import TypeRegistry
from verifiers.verifier_services import VerifierServices
from wallet_api.clock import Clock
from wallet_api.settings import Settings
from wallet_api.state import AppState


def state_of(request: Request) -> AppState:
    """The app's state, for the hottest routes that take ``Request`` rather than ``StateDep``:
    FastAPI spends ~30 µs solving each ``Depends`` of each request, a plain parameter is free."""
    return request.app.state.ecert  # type: ignore[no-any-return]


# the pure lookups below are ``async def`` on purpose: FastAPI runs a plain ``def``
# dependency in the threadpool, a hop per dependency per request for a dict lookup
async def get_state(request: Request) -> AppState:
    return state_of(request)


StateDep = Annotated[AppState, Depends(get_state)]


def get_session(state: StateDep) -> Iterator[Session]:
    with Session(state.engine, expire_on_commit=False) as session:
        yield session


async def get_settings(state: StateDep) -> Settings:
    return state.settings


async def get_registry(state: StateDep) -> TypeRegistry:
    return state.registry


async def get_clock(state: StateDep) -> Clock:
    return state.clock


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
RegistryDep = Annotated[TypeRegistry, Depends(get_registry)]
ClockDep = Annotated[Clock, Depends(get_clock)]


async def get_verifier_services(state: StateDep) -> VerifierServices:
    return state.verifier


async def get_sealer(state: StateDep) -> Sealer:
    return state.sealer


VerifierServicesDep = Annotated[VerifierServices, Depends(get_verifier_services)]
SealerDep = Annotated[Sealer, Depends(get_sealer)]
