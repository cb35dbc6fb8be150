"""The holder's stored certificates: obtain, import, list, look at, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, Field

from wallet_api.deps import ClockDep, RegistryDep, SessionDep, SettingsDep
from wallet_api.auth.holders import CurrentHolder, OwnedCredential
from wallet_api.wiring.issuing import IssuerServicesDep
from wallet_api.http.no_store import PERSONAL_DATA
from wallet_api.wallet.credential_store import issue_into_wallet, store_credential
from wallet_api.wallet.credential_views import credential_detail, delete_credential, list_credentials, summary
from wallet_api.deps import SealerDep, VerifierServicesDep
from wallet_api.wallet.deps import StatusReaderDep
from wallet_api.api_models.base import errors, typed
from wallet_api.api_models.wallet import StoredCredentialDetail, StoredCredentialSummary

router = APIRouter(prefix="/v1/wallet/credentials", tags=["wallet: certificates"], dependencies=[PERSONAL_DATA])


class IssueRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type_id: str = Field(max_length=64)
    device_id: str = Field(max_length=32)


class ImportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    credential: str = Field(max_length=64 * 1024)


@router.post("", status_code=status.HTTP_201_CREATED, **typed(StoredCredentialSummary, 400, 404, 409))
def obtain(
    body: IssueRequest,
    holder: CurrentHolder,
    session: SessionDep,
    context: IssuerServicesDep,
    services: VerifierServicesDep,
    reader: StatusReaderDep,
    registry: RegistryDep,
    clock: ClockDep,
) -> dict[str, Any]:
    row = issue_into_wallet(
        session,
        holder_id=holder.holder_id,
        type_id=body.type_id,
        device_id=body.device_id,
        context=context,
        services=services,
        now=clock.now(),
    )
    return summary(session, row, reader=reader, registry=registry)


@router.post("/import", status_code=status.HTTP_201_CREATED, **typed(StoredCredentialSummary, 400, 409))
def import_credential(
    body: ImportRequest,
    holder: CurrentHolder,
    session: SessionDep,
    services: VerifierServicesDep,
    sealer: SealerDep,
    reader: StatusReaderDep,
    registry: RegistryDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> dict[str, Any]:
    row = store_credential(
        session,
        holder_id=holder.holder_id,
        credential=body.credential,
        origin="imported",
        services=services,
        sealer=sealer,
        own_issuer=settings.issuer_id,
        now=clock.now(),
    )
    return summary(session, row, reader=reader, registry=registry)


@router.get("", **typed(list[StoredCredentialSummary]))
def list_all(
    holder: CurrentHolder,
    session: SessionDep,
    reader: StatusReaderDep,
    registry: RegistryDep,
    settings: SettingsDep,
    type_id: str | None = None,
    state: str | None = None,
) -> list[dict[str, Any]]:
    return list_credentials(
        session,
        holder_id=holder.holder_id,
        type_id=type_id,
        state=state,
        reader=reader,
        registry=registry,
        retention_days=settings.expired_credential_retention_days,
    )


@router.get("/{credential_id}", **typed(StoredCredentialDetail, 404))
def get_one(credential: OwnedCredential, session: SessionDep, reader: StatusReaderDep, registry: RegistryDep) -> dict[str, Any]:
    return credential_detail(session, credential, reader=reader, registry=registry)


@router.delete("/{credential_id}", status_code=status.HTTP_204_NO_CONTENT, **errors(404))
def delete(credential: OwnedCredential, session: SessionDep) -> Response:
    delete_credential(session, credential)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
