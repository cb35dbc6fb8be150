"""The desk scanner (relying party): verify a scanned QR text, or a photo of one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from verifiers.models import RelyingParty
from wallet_api.deps import ClockDep, SessionDep, SettingsDep, StateDep
from wallet_api.qr.deps import CustomsContextDep, QrServicesDep
from wallet_api.qr.desk import verify_scanned
from wallet_api.qr.images import qr_text_from_image
from wallet_api.qr.services import customs_context, profiles, qr_services
from wallet_api.rp_auth import CurrentRelyingParty
from wallet_api.state import AppState
from wallet_api.unit_of_work import in_one_hop, transaction

router = APIRouter(prefix="/v1/qr", tags=["verifier: QR desk"])


class QrVerifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=4096)
    profile: str | None = Field(
        default=None, max_length=32, description="adult_check, licence_check, identity_check, customs_gate; default: from the QR"
    )


def _verify_text(state: AppState, *, text: str, profile: str | None, party: RelyingParty, now: int) -> dict[str, Any]:
    # the scan mark and a customs clearance commit together: a transactional session
    with transaction(state.engine) as session:
        return verify_scanned(
            session, text=text, requested_profile=profile, profiles=profiles(state),
            services=qr_services(state, session), customs=customs_context(state, session, signing=False), party=party, now=now,
        )


@router.post("/verify")
async def verify(body: QrVerifyRequest, party: CurrentRelyingParty, state: StateDep, clock: ClockDep) -> dict[str, Any]:
    """200 with ``valid`` and a stable ``code`` for any QR text; claims only of a verified one."""
    return await in_one_hop(_verify_text, state, text=body.text, profile=body.profile, party=party, now=clock.epoch())


@router.post("/verify-image")
def verify_image(
    image: Annotated[UploadFile, File(description="a photo or webcam snapshot of the QR")],
    party: CurrentRelyingParty, session: SessionDep, state: StateDep, services: QrServicesDep,
    customs: CustomsContextDep, settings: SettingsDep, clock: ClockDep,
    profile: Annotated[str | None, Form(max_length=32)] = None,
) -> dict[str, Any]:
    # sync route (the session is sync); read one byte past the bound to know it was exceeded
    data = image.file.read(settings.qr_image_max_bytes + 1)
    text = qr_text_from_image(data, max_bytes=settings.qr_image_max_bytes, max_pixels=settings.qr_image_max_pixels)
    return verify_scanned(
        session, text=text, requested_profile=profile, profiles=profiles(state), services=services, customs=customs,
        party=party, now=clock.epoch(),
    )
