"""The holder's QR codes: a mobile-ID presentation to sign, and the signed one drawn."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from wallet_api.deps import ClockDep, SessionDep, StateDep
from wallet_api.auth.holders import CurrentHolder
from wallet_api.http.no_store import PERSONAL_DATA
from wallet_api.qr import presenting
from wallet_api.qr.deps import QrServicesDep
from wallet_api.qr.mobile_id import start_mobile_id_qr
from wallet_api.wallet.deps import WalletServicesDep
from wallet_api.api_models.base import typed
from wallet_api.api_models.qr import FinishedQr, MobileIdQr

router = APIRouter(prefix="/v1/wallet", tags=["wallet: QR codes"], dependencies=[PERSONAL_DATA])


class MobileIdQrRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    profile: str = Field(max_length=32, description="adult_check, licence_check or identity_check")


class FinishRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    family: str = Field(max_length=4)
    protected: str = Field(max_length=64)
    payload: str = Field(max_length=4096)
    signature: str = Field(max_length=128, description="base64url of the 64-byte device signature over signing_input")


@router.post("/credentials/{credential_id}/qr", **typed(MobileIdQr, 404, 409))
def mobile_id_qr(
    credential_id: str, body: MobileIdQrRequest, holder: CurrentHolder, session: SessionDep, state: StateDep,
    ctx: WalletServicesDep,
) -> dict[str, Any]:
    """A mobile-ID presentation for one desk profile; sign ``signing_input`` with the device key."""
    return start_mobile_id_qr(
        session, state=state, holder_id=holder.holder_id, device_id=holder.device_id or "", credential_id=credential_id,
        profile_name=body.profile, ctx=ctx,
    )


@router.post("/qr/finish", **typed(FinishedQr))
def finish(
    body: FinishRequest, holder: CurrentHolder, session: SessionDep, services: QrServicesDep, clock: ClockDep
) -> dict[str, Any]:
    """The QR text, PNG (base64) and SVG of a presentation the device signed."""
    return presenting.finish(
        session, holder_id=holder.holder_id, family=body.family, protected=body.protected, payload=body.payload,
        signature=body.signature, services=services, now=clock.epoch(),
    )
