"""The traveller's customs declaration (holder): fill in, preview, submit, amend, show as QR."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from issuers.customs.form import DeclarationInput
from wallet_api.deps import SessionDep, StateDep
from wallet_api.auth.holders import CurrentHolder
from wallet_api.http.no_store import PERSONAL_DATA
from wallet_api.qr import customs
from wallet_api.qr.deps import CustomsServicesDep
from wallet_api.wallet.deps import WalletServicesDep
from wallet_api.api_models.base import typed
from wallet_api.api_models.qr import CustomsAssessment, CustomsDeclaration, CustomsDeclarationListed, CustomsDeclarationSigned

router = APIRouter(prefix="/v1/customs", tags=["customs declaration"], dependencies=[PERSONAL_DATA])


@router.post("/assessment", **typed(CustomsAssessment))
def preview(
    body: DeclarationInput, holder: CurrentHolder, session: SessionDep, context: CustomsServicesDep, ctx: WalletServicesDep
) -> dict[str, Any]:
    """The completed form, what exceeds the allowance and the estimated duty; nothing stored."""
    return customs.preview(session, holder_id=holder.holder_id, data=body, context=context, ctx=ctx)


@router.post("/declarations", status_code=status.HTTP_201_CREATED, **typed(CustomsDeclarationSigned, 409))
def submit(
    body: DeclarationInput, holder: CurrentHolder, session: SessionDep, state: StateDep, context: CustomsServicesDep,
    ctx: WalletServicesDep,
) -> dict[str, Any]:
    """Sign version 1; ``presentation.signing_input`` is for the device key (then POST /v1/wallet/qr/finish)."""
    return customs.submit(
        session, state=state, holder_id=holder.holder_id, device_id=holder.device_id, data=body, context=context, ctx=ctx
    )


@router.get("/declarations", **typed(list[CustomsDeclarationListed]))
def list_all(holder: CurrentHolder, session: SessionDep, context: CustomsServicesDep) -> list[dict[str, Any]]:
    return customs.read_all(session, holder_id=holder.holder_id, context=context)


@router.get("/declarations/{declaration_id}", **typed(CustomsDeclaration, 404))
def get_one(declaration_id: str, holder: CurrentHolder, session: SessionDep, context: CustomsServicesDep) -> dict[str, Any]:
    return customs.read(session, holder_id=holder.holder_id, declaration_id=declaration_id, context=context)


@router.put("/declarations/{declaration_id}", **typed(CustomsDeclarationSigned, 404, 409))
def amend(
    declaration_id: str, body: DeclarationInput, holder: CurrentHolder, session: SessionDep, state: StateDep,
    context: CustomsServicesDep, ctx: WalletServicesDep,
) -> dict[str, Any]:
    """A new version; the previous version's QR is refused at the gate from now on (``superseded``)."""
    return customs.amend(
        session, state=state, holder_id=holder.holder_id, device_id=holder.device_id, declaration_id=declaration_id,
        data=body, context=context, ctx=ctx,
    )


@router.post("/declarations/{declaration_id}/presentation", **typed(CustomsDeclarationSigned, 404, 409))
def present(
    declaration_id: str, holder: CurrentHolder, session: SessionDep, state: StateDep, context: CustomsServicesDep
) -> dict[str, Any]:
    """A fresh presentation of the current version to sign (e.g. in the queue at the gate)."""
    return customs.present(session, state=state, holder_id=holder.holder_id, declaration_id=declaration_id, context=context)
