"""The device-signed half: a fresh presentation wrapping the issuer part.

Two steps because the device key never leaves the phone: ``build_presentation`` returns the
exact bytes to sign (a COSE Sig_structure), the app signs them with its device key, and
``finish_presentation`` assembles the QR text. The QR prefix is the signature's external
AAD, so a mobile-ID presentation cannot be relabelled as a customs one (or as another
version) without the device.
"""

from __future__ import annotations

from dataclasses import dataclass

import cbor2

from schemas.qr_payload import wire_keys as k
from schemas.qr_payload.cose_wire import SIGNATURE_LENGTH, encode_protected, encode_sign1, sig_structure
from schemas.qr_payload.envelope import encode_text, prefix_for, text_length


@dataclass(frozen=True)
class UnsignedPresentation:
    family: str
    protected: bytes
    payload: bytes

    @property
    def external_aad(self) -> bytes:
        return presentation_aad(self.family)

    @property
    def signing_input(self) -> bytes:
        return sig_structure(self.protected, self.payload, self.external_aad)


def presentation_aad(family: str) -> bytes:
    return prefix_for(family).encode("ascii")


def build_presentation(
    *,
    issuer_part: bytes,
    family: str,
    device_alg: str,
    now: int,
    ttl_s: int,
    jti: bytes,
    challenge: bytes | None = None,
) -> UnsignedPresentation:
    """What the device must sign: ``result.signing_input``; ``device_alg`` is its key's alg."""
    if not 0 < ttl_s <= k.MAX_PRESENTATION_TTL_S:
        raise ValueError(f"ttl_s must be 1..{k.MAX_PRESENTATION_TTL_S}")
    if not k.JTI_MIN_BYTES <= len(jti) <= k.JTI_MAX_BYTES:
        raise ValueError(f"jti must be {k.JTI_MIN_BYTES}-{k.JTI_MAX_BYTES} bytes")
    if challenge is not None and not 1 <= len(challenge) <= k.NONCE_MAX_BYTES:
        raise ValueError(f"challenge must be 1-{k.NONCE_MAX_BYTES} bytes")
    payload: dict[int, object] = {
        k.IAT: now,
        k.EXP: now + ttl_s,
        k.CTI: jti,
        k.PRIVATE_CREDENTIAL: issuer_part,
    }
    if challenge is not None:
        payload[k.NONCE] = challenge
    prefix_for(family)  # unknown families fail here, before anything is signed
    return UnsignedPresentation(family, encode_protected(device_alg), cbor2.dumps(payload, canonical=True))


def finish_presentation(unsigned: UnsignedPresentation, device_signature: bytes) -> str:
    """The QR text: prefix + base45(COSE_Sign1 by the device)."""
    if len(device_signature) != SIGNATURE_LENGTH:
        raise ValueError("device signature must be 64 bytes (ES256 r||s or Ed25519)")
    return encode_text(unsigned.family, encode_sign1(unsigned.protected, unsigned.payload, device_signature))


def presentation_text_length(
    *, issuer_part_length: int, family: str, device_alg: str, now: int, ttl_s: int, jti_bytes: int,
    challenge_bytes: int | None = None,
) -> int:
    """The exact length of the QR text of any presentation with these sizes.

    Nothing after the issuer part is compressed and a signature is always 64 bytes, so the
    length depends on the sizes alone (and on ``now`` only through the width of its CBOR
    integer: 5 bytes for every time from 1970-01-02 to 2106): a declaration is measured
    exactly before it is signed, and no later signature or jti can push it over.
    """
    unsigned = build_presentation(
        issuer_part=bytes(issuer_part_length), family=family, device_alg=device_alg, now=now, ttl_s=ttl_s,
        jti=bytes(jti_bytes), challenge=None if challenge_bytes is None else bytes(challenge_bytes),
    )
    return text_length(family, len(encode_sign1(unsigned.protected, unsigned.payload, bytes(SIGNATURE_LENGTH))))
