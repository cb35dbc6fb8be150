"""Customs declarations for the signed-in holder: fill in (identity from a stored
credential), submit, amend, read, and a fresh presentation of the current version to sign.

The device in the QR's cnf is the device the holder is signed in with; a declaration made on
a phone that is then lost is amended from the new phone (a new version, bound to it).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, select

from issuers.customs.declarations import (
    CustomsContext,
    amend_declaration,
    assess_claims,
    current_version,
    list_declarations,
    owned_declaration,
    submit_declaration,
)
from issuers.customs.form import DeclarationForm, DeclarationInput, qr_claims
from issuers.customs.qr_issuer import FAMILY
from schemas.errors import InvalidInput
from wallet_api.qr import presenting
from wallet_api.state import AppState
from wallet_api.wallet.credential_views import owned_credential, stored_claims
from schemas.errors import DeviceRevoked
from wallet_api.wallet.models import Device
from wallet_api.wallet.presentations import WalletContext

IDENTITY_FIELDS = ("name", "birth_date", "passport_number", "nationality")


def complete_form(session: Session, *, holder_id: str, data: DeclarationInput, ctx: WalletContext) -> DeclarationForm:
    """Typed identity fields win; the missing ones come from the named stored credential."""
    values = data.model_dump(exclude={"identity_from_credential"})
    if data.identity_from_credential is not None:
        row = owned_credential(session, holder_id=holder_id, credential_id=data.identity_from_credential)
        claims = stored_claims(row, ctx.sealer)
        for name in IDENTITY_FIELDS:
            if values.get(name) is None and claims.get(name) is not None:
                values[name] = claims[name]
    try:
        return DeclarationForm.model_validate(values)
    except ValidationError as exc:
        problems = [{"loc": [str(p) for p in e["loc"]], "msg": e["msg"]} for e in exc.errors()]
        raise InvalidInput("the declaration is incomplete or invalid", errors=problems) from None


def _device(session: Session, device_id: str | None) -> Device:
    device = session.get(Device, device_id) if device_id else None
    if device is None or device.revoked_at is not None:
        raise DeviceRevoked("sign in with an active device to declare")
    return device


def _answer(view: Any, context: CustomsContext, device: Device, state: AppState) -> dict[str, Any]:
    presentation = presenting.start(
        issuer_part=view.issuer_part, family=FAMILY, device_alg=device.alg, now=state.clock.epoch(),
        ttl_s=state.settings.qr_customs_ttl_s,
    )
    return {"declaration": view.public(context), "presentation": presentation}


def submit(
    session: Session, *, state: AppState, holder_id: str, device_id: str | None, data: DeclarationInput,
    context: CustomsContext, ctx: WalletContext,
) -> dict[str, Any]:
    device = _device(session, device_id)
    form = complete_form(session, holder_id=holder_id, data=data, ctx=ctx)
    view = submit_declaration(
        session, holder_ref=holder_id, form=form, device_jwk=device.public_jwk, context=context, now=state.clock.now()
    )
    return _answer(view, context, device, state)


def amend(
    session: Session, *, state: AppState, holder_id: str, device_id: str | None, declaration_id: str,
    data: DeclarationInput, context: CustomsContext, ctx: WalletContext,
) -> dict[str, Any]:
    device = _device(session, device_id)
    declaration = owned_declaration(session, holder_ref=holder_id, declaration_id=declaration_id)
    form = complete_form(session, holder_id=holder_id, data=data, ctx=ctx)
    view = amend_declaration(
        session, declaration=declaration, form=form, device_jwk=device.public_jwk, context=context, now=state.clock.now()
    )
    return _answer(view, context, device, state)


def read(session: Session, *, holder_id: str, declaration_id: str, context: CustomsContext) -> dict[str, Any]:
    declaration = owned_declaration(session, holder_ref=holder_id, declaration_id=declaration_id)
    return current_version(session, declaration, context.sealer).public(context)


def read_all(session: Session, *, holder_id: str, context: CustomsContext) -> list[dict[str, Any]]:
    return [
        {
            "id": d.id,
            "declaration_number": d.declaration_number,
            "arrival_date": d.arrival_date.isoformat(),
            "version": d.current_version,
            "cleared_at": d.cleared_at.isoformat() if d.cleared_at else None,
        }
        for d in list_declarations(session, holder_ref=holder_id)
    ]


def present(
    session: Session, *, state: AppState, holder_id: str, declaration_id: str, context: CustomsContext
) -> dict[str, Any]:
    declaration = owned_declaration(session, holder_ref=holder_id, declaration_id=declaration_id)
    view = current_version(session, declaration, context.sealer)
    device = session.exec(select(Device).where(Device.jkt == view.version.device_jkt)).first()
    if device is None or device.revoked_at is not None:
        raise DeviceRevoked("the device this declaration is bound to was revoked: amend it from your new device")
    return _answer(view, context, device, state)


def preview(
    session: Session, *, holder_id: str, data: DeclarationInput, context: CustomsContext, ctx: WalletContext
) -> dict[str, Any]:
    """What the traveller sees before submitting: the form completed, what exceeds, the duty."""
    form = complete_form(session, holder_id=holder_id, data=data, ctx=ctx)
    claims = qr_claims(form, context.rule_book.in_force(form.arrival_date))
    return {"form": form.model_dump(mode="json"), "assessment": assess_claims(claims, context).public()}
