"""Mobile-ID QR: the issuer part for one profile, cut from the holder's stored credential."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session

from issuers.mobile_id.qr_issuer import FAMILY, sign_mobile_id_part, status_ref
from issuers.models import IssuedCredential
from issuers.status_lists.models import IssuerStatusList
from schemas.errors import InvalidInput
from verifiers.qr.profiles import MOBILE_ID_TYPES, get_qr_profile
from wallet_api.qr import presenting
from wallet_api.state import AppState
from wallet_api.wallet.credential_views import stored_claims
from wallet_api.wallet.errors import NotPresentable
from wallet_api.wallet.models import Device
from wallet_api.wallet.presentations import WalletContext, presentable_credential


def start_mobile_id_qr(
    session: Session, *, state: AppState, holder_id: str, device_id: str, credential_id: str, profile_name: str,
    ctx: WalletContext,
) -> dict[str, Any]:
    profile = get_qr_profile(state.qr_profiles, profile_name)
    if profile.claims is None or not set(profile.types) <= set(MOBILE_ID_TYPES):
        raise InvalidInput(f"{profile_name} is not a mobile-ID profile")
    # bound to this device, valid, not suspended or revoked, device not reported lost
    row = presentable_credential(session, holder_id=holder_id, credential_id=credential_id, device_id=device_id, ctx=ctx)
    if row.type_id not in profile.types:
        raise InvalidInput(f"{profile_name} does not read a {row.type_id}")
    record = session.get(IssuedCredential, row.issuer_record_id) if row.issuer_record_id else None
    status_list = session.get(IssuerStatusList, record.status_list_id) if record else None
    if record is None or status_list is None:
        raise NotPresentable("only credentials this service issued can be shown as a QR")
    device = session.get(Device, row.device_id)
    assert device is not None  # presentable_credential checked it
    now = state.clock.now()
    exp = min(row.expires_at, now + timedelta(seconds=state.settings.qr_mobile_id_issuer_part_ttl_s))
    part = sign_mobile_id_part(
        signer=state.signers.active_signer(session),
        type_id=row.type_id,
        agency_id=state.registry.get(row.type_id).agency.id,
        claims=stored_claims(row, ctx.sealer),
        claim_names=profile.claims,
        holder_jwk=device.public_jwk,
        status=status_ref(status_list.uri_id, record.status_idx),
        exp=int(exp.timestamp()),
    )
    started = presenting.start(
        issuer_part=part, family=FAMILY, device_alg=device.alg, now=state.clock.epoch(), ttl_s=state.settings.qr_mobile_id_ttl_s
    )
    return {"profile": profile.name, "credential_id": row.id, **started}
