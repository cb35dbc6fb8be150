"""Holder QR answers: a presentation to sign, the signed QR drawn, customs declarations."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from wallet_api.api_models.base import Answer, Instant


class UnsignedQrPresentation(Answer):
    """A QR presentation for the device key to sign (then ``POST /v1/wallet/qr/finish``)."""

    family: str
    protected: str
    payload: str
    signing_input: str = Field(description="base64url; sign it with the device key")
    expires_at: Instant


class MobileIdQr(Answer):
    """A mobile-ID presentation for one desk profile (fields in the order they are sent)."""

    profile: str
    credential_id: str
    family: str
    protected: str
    payload: str
    signing_input: str = Field(description="base64url; sign it with the device key")
    expires_at: Instant


class FinishedQr(Answer):
    text: str
    qr_version: int
    expires_at: Instant
    png_base64: str
    svg: str


class CustomsAssessment(Answer):
    form: dict[str, Any]
    assessment: dict[str, Any]


class CustomsDeclaration(Answer):
    id: str
    declaration_number: str
    version: int
    created_at: Instant
    expires_at: Instant
    cleared_at: Instant | None
    form: dict[str, Any]
    assessment: dict[str, Any]


class CustomsDeclarationSigned(Answer):
    declaration: CustomsDeclaration
    presentation: UnsignedQrPresentation


class CustomsDeclarationListed(Answer):
    id: str
    declaration_number: str
    arrival_date: str
    version: int
    cleared_at: Instant | None
