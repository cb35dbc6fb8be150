"""Annotated dependencies of the QR routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from issuers.customs.declarations import CustomsContext
from verifiers.qr.context import QrServices
from wallet_api.deps import SessionDep, StateDep
from wallet_api.qr.services import customs_context, qr_services


def _customs(state: StateDep, session: SessionDep) -> CustomsContext:
    return customs_context(state, session)


def _services(state: StateDep, session: SessionDep) -> QrServices:
    return qr_services(state, session)


CustomsContextDep = Annotated[CustomsContext, Depends(_customs)]
QrServicesDep = Annotated[QrServices, Depends(_services)]
