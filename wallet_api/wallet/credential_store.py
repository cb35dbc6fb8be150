"""Putting credentials into the wallet: issued for the holder (first-party) or imported.

Both paths end in ``store_credential``, which verifies the SD-JWT VC with the same verifier
pipeline a relying party uses (profile ``upload``: trust, signature, validity, status,
disclosures) before anything is written, checks it is bound to one of the holder's own
active devices, checks it was issued to the holder's person (``not_your_credential``
otherwise: our issuer's record names the person; another issuer's credential is judged by
its binding and the registration number it carries), and seals the credential and its
claims (aad = table, row id, field).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select

from issuers.adapters.base import Subject
from issuers.models import IssuedCredential
from issuers.pipeline import IssuerServices, issue_credential
from keys.errors import KeyLayerError
from keys.jwk import thumbprint
from keys.jws import parse_compact
from keys.sd_jwt import split_sd_jwt
from keys.sd_jwt_errors import SdJwtMalformed
from keys.sealing import Sealer
from schemas.claim_formats import RRN
from schemas.errors import HolderBindingFailed, InvalidInput, Malformed, VerificationError
from schemas.registry import CertificateType
from verifiers.pipeline import verify_presentation
from verifiers.profiles import get_profile
from verifiers.verifier_services import VerifierServices
from wallet_api.wallet.devices import owned_device
from wallet_api.wallet.enrolment import holder_identity, holder_subject_ref
from schemas.errors import DeviceRevoked
from wallet_api.http.metrics import record_issuance
from wallet_api.wallet.errors import NotYourCredential
from wallet_api.wallet.models import Device, StoredCredential
from wallet_api.wallet.sealing import seal_json, seal_text

TABLE = "wallet_stored_credential"
#: genuine, current, untampered; key binding is the relying party's business, not storage's
STORAGE_PROFILE = "upload"
MAX_CREDENTIAL_CHARS = 64 * 1024


def _epoch_datetime(value: Any, what: str) -> datetime:
    if not isinstance(value, int):
        raise Malformed(f"the credential has no {what}")
    return datetime.fromtimestamp(value, UTC)


def _refuse(result_code: str | None, detail: str | None) -> VerificationError:
    error = VerificationError(detail or "the credential did not verify")
    error.code = result_code or "verification_failed"  # the failing check's own code
    return error


def _holder_device(session: Session, *, holder_id: str, cnf_jwk: Any) -> Device:
    try:
        jkt = thumbprint(cnf_jwk) if isinstance(cnf_jwk, dict) else None
    except (KeyLayerError, KeyError):
        jkt = None
    device = session.exec(select(Device).where(Device.jkt == jkt, Device.holder_id == holder_id)).first() if jkt else None
    if device is None:
        raise HolderBindingFailed("the credential is not bound to one of your devices")
    if device.revoked_at is not None:
        raise DeviceRevoked("the credential is bound to a revoked device")
    return device


def _own_record_issued_to_holder(session: Session, *, holder_id: str, issuer_jwt: str, sealer: Sealer) -> str:
    """Our issuer's record of this credential, if it was issued to the holder's person.

    Being bound to one of the holder's keys is not enough: a key can hold credentials issued
    to others (fetched over OpenID4VCI for a family member), and a stored credential is the
    holder's to present, print and revoke. Without a record we cannot tell whom it was
    issued to, so it is refused too.
    """
    digest = hashlib.sha256(issuer_jwt.encode("ascii")).hexdigest()
    record = session.exec(select(IssuedCredential).where(IssuedCredential.credential_digest == digest)).first()
    if record is None:
        raise NotYourCredential("our issuer has no record of issuing this credential")
    if record.subject_ref != holder_subject_ref(session, holder_id=holder_id, sealer=sealer):
        raise NotYourCredential("this credential was issued to another person")
    return record.id


def _digits(value: str) -> str:
    return "".join(c for c in value if c.isdigit())


def _outside_credential_names_holder(
    session: Session, *, holder_id: str, claims: dict[str, Any], type_def: CertificateType | None, sealer: Sealer
) -> None:
    """Another issuer's credential: no record of ours says whom it was issued to.

    What makes it the importing person's: it is bound to one of their devices (checked
    before this), whose key they proved to hold at registration and which is not bound to
    anyone else at our issuer; and, where it names its subject by resident registration
    number (a top-level claim its type declares ``format = "rrn"``), the number is theirs.
    A credential of a type we do not know, or without that claim, rests on the binding.
    """
    if type_def is None:
        return
    named = [claims[c.name] for c in type_def.claims if c.format == RRN and isinstance(claims.get(c.name), str)]
    if not named:
        return
    rrn = holder_identity(session, holder_id=holder_id, sealer=sealer).rrn
    if any(_digits(value) != _digits(rrn) for value in named):
        raise NotYourCredential("this credential names another person")


def store_credential(
    session: Session,
    *,
    holder_id: str,
    credential: Any,
    origin: str,
    services: VerifierServices,
    sealer: Sealer,
    own_issuer: str,
    now: datetime,
) -> StoredCredential:
    if not isinstance(credential, str) or not credential or len(credential) > MAX_CREDENTIAL_CHARS:
        raise InvalidInput("credential must be an SD-JWT VC (compact serialization)")
    try:
        parts = split_sd_jwt(credential)
    except SdJwtMalformed as exc:
        raise Malformed(str(exc)) from None
    if parts.kb_jwt is not None:
        raise InvalidInput("store the credential as issued, without a KB-JWT")
    result = verify_presentation(
        session,
        presentation=credential,
        profile=get_profile(STORAGE_PROFILE),
        trust=services.trust_for(session),
        status_checker=services.status_checker,
        nonce=None,
        audience=None,
        now=int(now.timestamp()),
        registry=services.registry,
    )
    if not result.valid:
        raise _refuse(result.code, result.detail)
    # verified just above: reading the signed payload for cnf and status is now safe
    payload = parse_compact(parts.issuer_jwt).unverified_claims()
    cnf = payload.get("cnf")
    device = _holder_device(session, holder_id=holder_id, cnf_jwk=cnf.get("jwk") if isinstance(cnf, dict) else None)

    record_id: str | None = None
    if result.issuer == own_issuer:
        record_id = _own_record_issued_to_holder(session, holder_id=holder_id, issuer_jwt=parts.issuer_jwt, sealer=sealer)
    else:
        type_def = services.registry.get(result.type_id) if result.type_id in services.registry else None
        _outside_credential_names_holder(session, holder_id=holder_id, claims=result.claims, type_def=type_def, sealer=sealer)
    row_id = uuid.uuid4().hex
    status_claim = payload.get("status")
    row = StoredCredential(
        id=row_id,
        holder_id=holder_id,
        device_id=device.id,
        type_id=result.type_id,
        vct=result.vct or "",
        issuer=result.issuer or "",
        issued_at=_epoch_datetime(payload.get("iat"), "iat"),
        expires_at=_epoch_datetime(payload.get("exp"), "exp"),
        stored_at=now,
        origin=origin,
        issuer_record_id=record_id,
        sealed_credential=seal_text(sealer, credential, table=TABLE, row_id=row_id, field="credential"),
        sealed_claims=seal_json(sealer, result.claims, table=TABLE, row_id=row_id, field="claims"),
        sealed_status=(
            seal_json(sealer, status_claim, table=TABLE, row_id=row_id, field="status") if status_claim is not None else None
        ),
    )
    session.add(row)
    session.commit()
    return row


def issue_into_wallet(
    session: Session,
    *,
    holder_id: str,
    type_id: Any,
    device_id: Any,
    context: IssuerServices,
    services: VerifierServices,
    now: datetime,
) -> StoredCredential:
    """The first-party path: the issuing pipeline for the signed-in person, bound to their device."""
    if not isinstance(type_id, str) or not isinstance(device_id, str):
        raise InvalidInput("type_id and device_id are required")
    device = owned_device(session, holder_id=holder_id, device_id=device_id)
    if device.revoked_at is not None:
        raise DeviceRevoked("this device has been revoked; register a new one")
    identity = holder_identity(session, holder_id=holder_id, sealer=context.sealer)
    issued = issue_credential(
        session, context=context, type_id=type_id, subject=Subject(rrn=identity.rrn), holder_jwk=device.public_jwk, now=now
    )
    record_issuance(type_id)
    return store_credential(
        session,
        holder_id=holder_id,
        credential=issued.credential,
        origin="issued",
        services=services,
        sealer=context.sealer,
        own_issuer=context.issuer_id,
        now=now,
    )
