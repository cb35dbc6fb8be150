"""Offline verification of a QR presentation: issuer signature, device signature, times.

Needs only the issuer's public keys (looked up by iss through the caller's resolver, e.g.
from a downloaded trust list). Issuer parts carry no kid, to save QR characters: every
published key of that issuer whose algorithm matches the header is tried - one key, or two
during a rotation, so a few signature checks at most (``MAX_ISSUER_KEYS_TRIED`` bounds it). The device key is taken from the issuer-signed
``cnf``, never from anything the presenter controls, so a screenshot cannot be re-signed
for a new moment by anyone but the device. Single use (jti / credential id) and status are
online checks the caller adds; this returns what they need.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from schemas.errors import (
    CredentialExpired,
    HolderBindingFailed,
    IssuerUntrusted,
    NonceMismatch,
    NotYetValid,
    SignatureInvalid,
)
from schemas.qr_errors import QrMalformed
from schemas.qr_payload import wire_keys as k
from schemas.qr_payload.claim_keys import QrTypeTable
from schemas.qr_payload.cose_wire import COSE_ALG_IDS
from schemas.qr_payload.decode import QrLimits, UnverifiedQrPresentation, decode_qr_text
from schemas.qr_payload.issuer_part import StatusRef, short_kid
from schemas.qr_payload.presentation import presentation_aad
from schemas.qr_payload.protocols import DeviceKeyFactory, IssuerKeyResolver, SignatureKey

_DEVICE_ALG_FOR_KTY = {"EC": "ES256", "OKP": "EdDSA"}


@dataclass(frozen=True)
class VerifiedQrPresentation:
    family: str
    type_id: str
    iss: str
    issuer_kid: str | None
    claims: dict[str, Any]
    jti: bytes
    challenge: bytes | None
    presented_at: int
    expires_at: int
    holder_jwk: dict[str, str]
    #: the issued object's id (cti) if the issuer set one
    credential_id: bytes | None
    #: the credential's status list entry, if the issuer put one in
    status: StatusRef | None
    #: SHA-256 of the issuer part: a stable handle for "this issued version" (amendments differ)
    issuer_part_digest: bytes


#: an issuer publishes one key, two while rotating; more than this is refused, not looped over
MAX_ISSUER_KEYS_TRIED = 8


class IssuerKeyIndex:
    """A ready resolver over known issuer keys: ``iss -> [keys]``."""

    def __init__(self, keys: Iterable[tuple[str, SignatureKey]]) -> None:
        self._keys: dict[str, list[SignatureKey]] = {}
        for iss, key in keys:
            if key.kid is None:
                raise ValueError("issuer keys need a kid")
            self._keys.setdefault(iss, []).append(key)

    def __call__(self, iss: str) -> list[SignatureKey]:
        return list(self._keys.get(iss, ()))


def verify_qr_presentation(
    text: Any,
    *,
    issuer_key_resolver: IssuerKeyResolver,
    device_key_from_jwk: DeviceKeyFactory,
    now: int,
    leeway_s: int = 5,
    expected_challenge: bytes | None = None,
    limits: QrLimits = QrLimits(),
    type_table: QrTypeTable | None = None,
) -> VerifiedQrPresentation:
    """Verify or raise a ``schemas.errors`` subclass; never returns a partial result.

    ``leeway_s`` forgives a phone clock running AHEAD of the scanner (iat in the future).
    Expiry gets no leeway: a phone clock running behind only shortens its own QR's life,
    while forgiving expiry would keep a screenshot alive longer.
    """
    unverified = decode_qr_text(text, limits=limits, type_table=type_table)
    issuer_key = _check_issuer_signature(unverified, issuer_key_resolver)
    _check_credential_times(unverified, now=now, leeway_s=leeway_s)
    _check_device_signature(unverified, device_key_from_jwk)
    _check_presentation_times(unverified, now=now, leeway_s=leeway_s)
    if expected_challenge is not None and unverified.unverified_challenge != expected_challenge:
        raise NonceMismatch("the QR does not answer this challenge")
    return VerifiedQrPresentation(
        family=unverified.family,
        type_id=unverified.unverified_type.type_id,
        iss=unverified.unverified_iss,
        issuer_kid=issuer_key.kid,
        claims=unverified.unverified_claims,
        jti=unverified.unverified_jti,
        challenge=unverified.unverified_challenge,
        presented_at=unverified.unverified_presented_at,
        expires_at=unverified.unverified_expires_at,
        holder_jwk=unverified.unverified_holder_jwk,
        credential_id=unverified.unverified_credential_id,
        status=unverified.unverified_status,
        issuer_part_digest=hashlib.sha256(unverified.issuer_part).digest(),
    )


def _candidate_keys(unverified: UnverifiedQrPresentation, resolver: IssuerKeyResolver) -> list[SignatureKey]:
    try:
        keys = list(resolver(unverified.unverified_iss) or ())
    except LookupError:
        keys = []
    if not keys:
        raise IssuerUntrusted(f"no trusted key for issuer {unverified.unverified_iss!r}")
    if len(keys) > MAX_ISSUER_KEYS_TRIED:
        raise IssuerUntrusted(f"issuer {unverified.unverified_iss!r} has more keys than a verifier tries")
    kid = unverified.issuer.kid
    if kid is not None:
        # an issuer that names its key narrows the search; an unknown kid is an unknown key
        keys = [key for key in keys if key.kid is not None and short_kid(key.kid) == kid]
        if not keys:
            raise IssuerUntrusted(f"no trusted key {kid.hex()} for issuer {unverified.unverified_iss!r}")
    # the key decides the algorithm; a header naming another one is refused, not obeyed
    matching = [key for key in keys if COSE_ALG_IDS.get(key.alg) == unverified.issuer.alg_id]
    if not matching:
        raise SignatureInvalid("issuer part alg does not match any key of the issuer")
    return matching


def _check_issuer_signature(unverified: UnverifiedQrPresentation, resolver: IssuerKeyResolver) -> SignatureKey:
    issuer = unverified.issuer
    signing_input = issuer.signing_input()
    for key in _candidate_keys(unverified, resolver):
        if _verifies(key, signing_input, issuer.signature):
            return key
    raise SignatureInvalid("issuer signature does not verify with any key of the issuer")


def _check_device_signature(unverified: UnverifiedQrPresentation, factory: DeviceKeyFactory) -> None:
    jwk = unverified.unverified_holder_jwk
    try:
        device_key = factory(jwk)
    except Exception:  # the factory is caller-supplied; a key it cannot build binds nothing
        raise HolderBindingFailed("the device key in cnf is not usable") from None
    device = unverified.device
    if device_key.alg != _DEVICE_ALG_FOR_KTY[jwk["kty"]] or COSE_ALG_IDS.get(device_key.alg) != device.alg_id:
        raise HolderBindingFailed("presentation alg does not match the device key")
    if not _verifies(device_key, device.signing_input(presentation_aad(unverified.family)), device.signature):
        raise HolderBindingFailed("device signature does not verify with the key in cnf")


def _verifies(key: SignatureKey, signing_input: bytes, signature: bytes) -> bool:
    try:
        key.verify(signing_input, signature)
    except Exception:  # any failure of a caller-supplied key is a failed verification: fail closed
        return False
    return True


def _check_credential_times(unverified: UnverifiedQrPresentation, *, now: int, leeway_s: int) -> None:
    if now >= unverified.unverified_credential_expires_at:
        raise CredentialExpired("the credential in the QR has expired")
    if unverified.unverified_issued_at is not None and unverified.unverified_issued_at > now + leeway_s:
        raise NotYetValid("the credential in the QR is issued in the future")


def _check_presentation_times(unverified: UnverifiedQrPresentation, *, now: int, leeway_s: int) -> None:
    presented_at, expires_at = unverified.unverified_presented_at, unverified.unverified_expires_at
    if not 0 < expires_at - presented_at <= k.MAX_PRESENTATION_TTL_S:
        raise QrMalformed(f"presentation lifetime outside 1..{k.MAX_PRESENTATION_TTL_S} s")
    if presented_at > now + leeway_s:
        raise NotYetValid("presentation made in the future (beyond leeway)")
    if now >= expires_at:
        raise CredentialExpired("presentation expired")
    if presented_at >= unverified.unverified_credential_expires_at:
        raise CredentialExpired("presented after the credential expired")
