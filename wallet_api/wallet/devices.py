"""Device keys: register (public JWK only), list, revoke.

Revoking a device (a lost phone) has three effects, in this order:
- its access tokens are deleted, committed with the device's revocation: the next request
  with one is 401;
- the wallet refuses to prepare presentations of credentials bound to it;
- our issuer revokes every credential whose ``cnf`` is that key (records found by
  ``holder_jkt``), so a thief who also has the private key cannot present them to any
  verifier either: the status list says revoked. (``change_status`` commits per record; a
  crash half-way leaves the device revoked and the rest is redone by revoking it again.)
  The holder re-issues to a new device.
Credentials of other issuers cannot be revoked from here; the wallet lists them as bound to
a revoked device and refuses to present them.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from issuers.credential_status import change_status
from issuers.models import IssuedCredential
from issuers.status_lists.entries import get_status
from keys.errors import JWKInvalid
from keys.jwk import alg_for_jwk, public_jwk, public_key_from_jwk, thumbprint
from schemas.errors import Conflict, InvalidInput, NotFound
from schemas.status_list import INVALID
from wallet_api.audit_log import record_device_revocation
from wallet_api.wallet.models import Device, DevicePublic
from wallet_api.wallet.tokens import revoke_device_tokens

MAX_NAME = 100


def register_device(session: Session, *, holder_id: str, jwk: object, name: str, now: datetime) -> DevicePublic:
    try:
        # refuses private members ("d"), other curves and points off the curve
        normalized = public_jwk(public_key_from_jwk(jwk))
    except JWKInvalid as exc:
        raise InvalidInput(f"device key: {exc}") from None
    if len(name) > MAX_NAME:
        raise InvalidInput(f"device name is at most {MAX_NAME} characters")
    row = Device(
        id=uuid.uuid4().hex,
        holder_id=holder_id,
        name=name.strip(),
        alg=alg_for_jwk(normalized),
        jkt=thumbprint(normalized),
        public_jwk=normalized,
        created_at=now,
    )
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        # one key, one device: a key seen before (here or at another holder) is not reused
        raise Conflict("this device key is already registered") from None
    return DevicePublic.model_validate(row, from_attributes=True)


def list_devices(session: Session, *, holder_id: str) -> list[DevicePublic]:
    rows = session.exec(select(Device).where(Device.holder_id == holder_id).order_by(col(Device.created_at))).all()
    return [DevicePublic.model_validate(r, from_attributes=True) for r in rows]


def owned_device(session: Session, *, holder_id: str, device_id: str) -> Device:
    device = session.get(Device, device_id)
    # another holder's device is reported exactly like a missing one
    if device is None or device.holder_id != holder_id:
        raise NotFound("no such device")
    return device


def _revoke_issued_credentials(session: Session, *, jkt: str, now: datetime) -> int:
    records = session.exec(select(IssuedCredential).where(IssuedCredential.holder_jkt == jkt)).all()
    revoked = 0
    for record in records:
        if record.expires_at <= now or get_status(session, list_id=record.status_list_id, idx=record.status_idx) == INVALID:
            continue
        change_status(session, record_id=record.id, agency_id=record.agency_id, action="revoke", now=now)
        revoked += 1
    return revoked


def revoke_device(session: Session, *, device: Device, now: datetime) -> DevicePublic:
    if device.revoked_at is None:
        device.revoked_at = now
        session.add(device)
        revoke_device_tokens(session, device_id=device.id)
        record_device_revocation(session, holder_id=device.holder_id, device_id=device.id, now=now)
        session.commit()
    # outside the if: revoking again finishes what a crash cut short (revoked records are skipped)
    _revoke_issued_credentials(session, jkt=device.jkt, now=now)
    return DevicePublic.model_validate(device, from_attributes=True)
