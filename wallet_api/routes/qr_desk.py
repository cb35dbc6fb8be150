"""The desk scanner (relying party): verify a scanned QR text, or a photo of one."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from verifiers.models import RelyingParty
from verifiers.qr.pipeline import choose_profile
from verifiers.qr.profiles import QrProfile
from wallet_api.deps import ClockDep, SessionDep, SettingsDep, StateDep, state_of
from wallet_api.http.no_store import PERSONAL_DATA
from wallet_api.qr.deps import CustomsServicesDep, QrServicesDep
from wallet_api.qr.desk import needs_transaction, verify_scanned, verify_with_profile
from wallet_api.qr.images import qr_text_from_image
from wallet_api.qr.services import customs_services, qr_services
from wallet_api.http.metrics import record_verification
from wallet_api.http.rate_limits import limit_verification
from wallet_api.auth.relying_parties import CurrentRelyingParty
from wallet_api.state import AppState
from wallet_api.db.unit_of_work import one_transaction, reads_and_atomic_writes, run_unit
from wallet_api.api_models.base import typed
from wallet_api.api_models.verifier import QrVerifyAnswer

router = APIRouter(prefix="/v1/qr", tags=["verifier: QR desk"], dependencies=[PERSONAL_DATA])


class QrVerifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=4096)
    profile: str | None = Field(
        default=None, max_length=32, description="adult_check, licence_check, identity_check, customs_gate; default: from the QR"
    )


def _verify_text(
    session: Session, state: AppState, *, text: str, profile: QrProfile | None, party: RelyingParty, now: int
) -> dict[str, Any]:
    return verify_with_profile(
        session, text=text, profile=profile, services=qr_services(state, session),
        customs=customs_services(state, session, signing=False), party=party, now=now,
    )


#: a scan that only reads and marks the QR used (one atomic insert), and one whose writes
#: land together or not at all (see ``needs_transaction``: a declaration cleared with its
#: mark; a mark that must not stay when the party is refused the claims)
_verify_and_mark = reads_and_atomic_writes(partial(_verify_text))
_verify_in_one_transaction = one_transaction(partial(_verify_text))


@router.post("/verify", **typed(QrVerifyAnswer))
async def verify(body: QrVerifyRequest, party: CurrentRelyingParty, request: Request) -> dict[str, Any]:
    """200 with ``valid`` and a stable ``code`` for any QR text; claims only of a verified one."""
    state = state_of(request)  # not StateDep: see state_of
    await limit_verification(state, request, "qr_verify", party=party.client_id)
    profile = choose_profile(body.text, state.qr_profiles, body.profile)
    unit = _verify_in_one_transaction if needs_transaction(profile, party) else _verify_and_mark
    answer = await run_unit(state, unit, state, text=body.text, profile=profile, party=party, now=state.clock.epoch())
    record_verification("qr", answer)
    return answer


@router.post("/verify-image", **typed(QrVerifyAnswer))
def verify_image(
    image: Annotated[UploadFile, File(description="a photo or webcam snapshot of the QR")],
    party: CurrentRelyingParty, session: SessionDep, state: StateDep, services: QrServicesDep,
    customs: CustomsServicesDep, settings: SettingsDep, clock: ClockDep,
    profile: Annotated[str | None, Form(max_length=32)] = None,
) -> dict[str, Any]:
    # sync route (the session is sync); read one byte past the bound to know it was exceeded
    data = image.file.read(settings.qr_image_max_bytes + 1)
    text = qr_text_from_image(data, max_bytes=settings.qr_image_max_bytes, max_pixels=settings.qr_image_max_pixels)
    return verify_scanned(
        session, text=text, requested_profile=profile, profiles=state.qr_profiles, services=services, customs=customs,
        party=party, now=clock.epoch(),
    )
