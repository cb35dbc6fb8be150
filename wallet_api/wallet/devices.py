"""Device keys: register (public JWK and proof of possession), list, revoke.

Registering a key takes a proof that the caller holds its private key: a compact JWS signed
by that key (``device_proofs``)::

    header  {"alg": <the key's alg>, "typ": "ecert-device-registration+jwt"}
    payload {"challenge": <from POST /v1/holders/me/devices/challenge>, "aud": <issuer id>, "iat": <now>}

The challenge is issued to one holder (their enrolment or access token), lives
``sign_in_challenge_ttl_s`` and is spent once. Without this, anyone who had seen a
credential's ``cnf.jwk`` (every relying party it was presented to) could register it and so
revoke, import and print that person's credentials. A key is refused (``device_key_bound``)
when it is already a device (of anyone) or the holder key of credentials our issuer issued
to another person (e.g. over OpenID4VCI to an outside wallet): it is bound to them.

Revoking a device (a lost phone) has three effects, in this order:
- its access tokens are deleted, committed with the device's revocation: the next request
  with one is 401;
- the wallet refuses to prepare presentations of credentials bound to it;
- our issuer revokes every credential issued to this holder's person whose ``cnf`` is that
  key (records found by ``holder_jkt`` and ``subject_ref``), so a thief who also has the
  private key cannot present them to any verifier either: the status list says revoked.
  Credentials issued to another person under the same key are not the holder's to revoke.
  (``change_status`` commits per record; a crash half-way leaves the device revoked and the
  rest is redone by revoking it again.) The holder re-issues to a new device.
Credentials of other issuers cannot be revoked from here; the wallet lists them as bound to
a revoked device and refuses to present them.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from issuers.credential_status import StatusChangeReason, change_status
from issuers.models import IssuedCredential
from issuers.status_lists.entries import get_status
from keys.errors import JWKInvalid, KeyLayerError
from keys.jwk import alg_for_jwk, public_jwk, public_key_from_jwk, thumbprint
from keys.jws import VerificationKey, parse_compact
from keys.sealing import Sealer
from schemas.errors import InvalidInput, NotFound
from schemas.status_list import INVALID
from wallet_api.admin.audit_log import record_device_revocation
from wallet_api.wallet.device_proofs import proof_challenge, spend_challenge
from wallet_api.wallet.enrolment import holder_subject_ref
from wallet_api.wallet.errors import DeviceChallengeInvalid, DeviceKeyBound, DeviceProofInvalid, DeviceProofRequired
from wallet_api.wallet.models import Device, DevicePublic, DeviceRegistrationChallenge
from wallet_api.wallet.tokens import revoke_device_tokens

MAX_NAME = 100
DEVICE_REGISTRATION_TYP = "ecert-device-registration+jwt"
#: unused registration challenges a holder may hold at once; asking for one more drops the oldest
MAX_OPEN_CHALLENGES = 5
_CHALLENGES = DeviceRegistrationChallenge.__table__  # type: ignore[attr-defined]


def create_registration_challenge(session: Session, *, holder_id: str, now: datetime, ttl_s: int) -> DeviceRegistrationChallenge:
    # the holder's rows stay few however often they ask: expired challenges go, and only the
    # newest few unused ones are kept (spent ones stay until they expire, so that a replay
    # is still told apart as ``replayed``)
    session.execute(
        delete(DeviceRegistrationChallenge).where(
            col(DeviceRegistrationChallenge.holder_id) == holder_id, col(DeviceRegistrationChallenge.expires_at) <= now
        )
    )
    open_ids = session.exec(
        select(DeviceRegistrationChallenge.id)
        .where(DeviceRegistrationChallenge.holder_id == holder_id, col(DeviceRegistrationChallenge.used_at).is_(None))
        .order_by(col(DeviceRegistrationChallenge.created_at).desc())
    ).all()
    stale = open_ids[MAX_OPEN_CHALLENGES - 1 :]
    if stale:
        session.execute(delete(DeviceRegistrationChallenge).where(col(DeviceRegistrationChallenge.id).in_(stale)))
    row = DeviceRegistrationChallenge(
        id=secrets.token_urlsafe(32), holder_id=holder_id, created_at=now, expires_at=now + timedelta(seconds=ttl_s)
    )
    session.add(row)
    session.commit()
    return row


def _proven_challenge(proof: Any, key: VerificationKey, *, audience: str, now: datetime, leeway_s: int) -> str:
    if proof is None:
        raise DeviceProofRequired(
            "registering a device key needs a proof: a JWS signed by that key over a challenge "
            "from POST /v1/holders/me/devices/challenge"
        )
    if not isinstance(proof, str):
        raise DeviceProofInvalid("proof must be a compact JWS")
    try:
        parsed = parse_compact(proof)
    except KeyLayerError as exc:
        raise DeviceProofInvalid(f"registration proof: {exc}") from None
    return proof_challenge(
        parsed,
        key,
        typ=DEVICE_REGISTRATION_TYP,
        audience=audience,
        now=now,
        leeway_s=leeway_s,
        what="registration proof",
        error=DeviceProofInvalid,
    )


def _refuse_bound_key(session: Session, *, holder_id: str, jkt: str, sealer: Sealer) -> None:
    """Checked after the proof: only someone holding the private key learns the key is taken."""
    existing = session.exec(select(Device).where(Device.jkt == jkt)).first()
    if existing is not None:
        whose = "one of your devices" if existing.holder_id == holder_id else "another holder's device"
        raise DeviceKeyBound(f"this key is already {whose}; a key is registered once")
    subject_ref = holder_subject_ref(session, holder_id=holder_id, sealer=sealer)
    others = session.exec(
        select(IssuedCredential.id)
        .where(IssuedCredential.holder_jkt == jkt, IssuedCredential.subject_ref != subject_ref)
        .limit(1)
    ).first()
    if others is not None:
        raise DeviceKeyBound("this key holds credentials issued to another person; it cannot be your device")


def register_device(
    session: Session,
    *,
    holder_id: str,
    jwk: object,
    name: str,
    proof: Any,
    audience: str,
    sealer: Sealer,
    now: datetime,
    leeway_s: int,
) -> DevicePublic:
    try:
        # refuses private members ("d"), other curves and points off the curve
        normalized = public_jwk(public_key_from_jwk(jwk))
    except JWKInvalid as exc:
        raise InvalidInput(f"device key: {exc}") from None
    if len(name) > MAX_NAME:
        raise InvalidInput(f"device name is at most {MAX_NAME} characters")
    challenge = _proven_challenge(proof, VerificationKey.from_jwk(normalized), audience=audience, now=now, leeway_s=leeway_s)
    jkt = thumbprint(normalized)
    _refuse_bound_key(session, holder_id=holder_id, jkt=jkt, sealer=sealer)
    spend_challenge(
        session, _CHALLENGES, challenge=challenge, now=now, what="registration", error=DeviceChallengeInvalid, holder_id=holder_id
    )
    row = Device(
        id=uuid.uuid4().hex,
        holder_id=holder_id,
        name=name.strip(),
        alg=alg_for_jwk(normalized),
        jkt=jkt,
        public_jwk=normalized,
        created_at=now,
    )
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        # two registrations of one key raced: one key, one device (the challenge stays unspent)
        raise DeviceKeyBound("this key is already registered as a device") from None
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


def _revoke_issued_credentials(session: Session, *, jkt: str, subject_ref: str, now: datetime) -> int:
    # the key alone is not enough: a key can hold credentials issued to others (a parent's
    # phone fetching a child's over OpenID4VCI); the holder revokes only their own
    records = session.exec(
        select(IssuedCredential).where(IssuedCredential.holder_jkt == jkt, IssuedCredential.subject_ref == subject_ref)
    ).all()
    revoked = 0
    for record in records:
        if record.expires_at <= now or get_status(session, list_id=record.status_list_id, idx=record.status_idx) == INVALID:
            continue
        change_status(
            session,
            record_id=record.id,
            agency_id=record.agency_id,
            action="revoke",
            now=now,
            reason=StatusChangeReason("device_lost", "the holder revoked the device this credential is bound to"),
        )
        revoked += 1
    return revoked


def revoke_device(session: Session, *, device: Device, sealer: Sealer, now: datetime) -> DevicePublic:
    if device.revoked_at is None:
        device.revoked_at = now
        session.add(device)
        revoke_device_tokens(session, device_id=device.id)
        record_device_revocation(session, holder_id=device.holder_id, device_id=device.id, now=now)
        session.commit()
    # outside the if: revoking again finishes what a crash cut short (revoked records are skipped)
    subject_ref = holder_subject_ref(session, holder_id=device.holder_id, sealer=sealer)
    _revoke_issued_credentials(session, jkt=device.jkt, subject_ref=subject_ref, now=now)
    return DevicePublic.model_validate(device, from_attributes=True)
