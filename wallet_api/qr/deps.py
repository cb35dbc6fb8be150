"""Annotated dependencies of the QR routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from issuers.customs.declarations import CustomsServices
from verifiers.qr.context import QrServices
from wallet_api.deps import SessionDep, StateDep
from wallet_api.qr.services import customs_services, qr_services


def _customs(state: StateDep, session: SessionDep) -> CustomsServices:
    return customs_services(state, session)


def _services(state: StateDep, session: SessionDep) -> QrServices:
    return qr_services(state, session)


CustomsServicesDep = Annotated[CustomsServices, Depends(_customs)]
QrServicesDep = Annotated[QrServices, Depends(_services)]
