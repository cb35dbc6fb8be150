"""The holder's printable copy of a stored certificate (PDF)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from issuers.models import IssuedCredential
from schemas.errors import NotFound
from schemas.masking import masked_display
from wallet_api.deps import RegistryDep, SessionDep, SettingsDep
from wallet_api.auth.holders import OwnedCredential
from wallet_api.http.no_store import PERSONAL_DATA
from wallet_api.qr.printable import korean_font, printable_pdf
from wallet_api.wallet.credential_views import stored_claims
from wallet_api.deps import SealerDep
from wallet_api.api_models.base import binary

router = APIRouter(prefix="/v1/wallet/credentials", tags=["wallet: certificates"], dependencies=[PERSONAL_DATA])


@router.get(
    "/{credential_id}/printable.pdf", response_class=Response,
    **binary("application/pdf", 404, description="a printable copy, sensitive claims masked"),
)
def printable(
    credential: OwnedCredential, session: SessionDep, registry: RegistryDep, settings: SettingsDep, sealer: SealerDep
) -> Response:
    if credential.type_id is None or credential.type_id not in registry:
        raise NotFound("no printable layout for a certificate of an unknown type")
    type_def = registry.get(credential.type_id)
    record = session.get(IssuedCredential, credential.issuer_record_id) if credential.issuer_record_id else None
    number = record.document_number if record else None
    pdf = printable_pdf(
        type_def=type_def,
        claims=masked_display(type_def, stored_claims(credential, sealer)),
        document_number=number,
        verify_url=f"{settings.public_url.rstrip('/')}/v1/documents/{number}" if number else None,
        issued_at=credential.issued_at,
        expires_at=credential.expires_at,
        font_path=korean_font(settings.pdf_font_path),
    )
    return Response(pdf, media_type="application/pdf", headers={
        "Cache-Control": "no-store", "Content-Disposition": f'inline; filename="{type_def.id}.pdf"'})
