"""COSE_Sign1 (RFC 9052) as bytes: the array shape, the protected header, the Sig_structure.

No cryptography here: ``schemas`` may not import ``keys``, and the holder's device signs the
presentation itself, so this module only builds what gets signed and checks the shape of
what was received; ``verifiers.qr.presentation_signatures`` verifies the signatures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cbor2

from schemas.qr_errors import QrMalformed
from schemas.qr_payload.cbor_reader import CborLimits, decode_strict

HEADER_ALG = 1
HEADER_CRIT = 2
HEADER_KID = 4
#: the only algorithms a QR may be signed with (RFC 9053 ids); matched against the KEY's alg
COSE_ALG_IDS: dict[str, int] = {"ES256": -7, "EdDSA": -8}
SIGNATURE_LENGTH = 64  # both ES256 (r||s) and Ed25519
#: the same CBOR rules as every other item (docs/qr-format.md §4): a header with a nested
#: parameter (a crit list) decodes and is then refused by name, not as "too deep"
_PROTECTED_LIMITS = CborLimits()


def encode_protected(alg: str, kid: bytes | None = None) -> bytes:
    header: dict[int, Any] = {HEADER_ALG: COSE_ALG_IDS[alg]}
    if kid is not None:
        header[HEADER_KID] = kid
    return cbor2.dumps(header, canonical=True)


def sig_structure(protected: bytes, payload: bytes, external_aad: bytes = b"") -> bytes:
    return cbor2.dumps(["Signature1", protected, external_aad, payload])


def encode_sign1(protected: bytes, payload: bytes, signature: bytes) -> bytes:
    # untagged (no tag 18): the prefix already says what the bytes are, and 1 byte is 1.5 chars
    return cbor2.dumps([protected, {}, payload, signature])


@dataclass(frozen=True)
class Sign1Parts:
    """A COSE_Sign1 whose signature has NOT been checked."""

    protected_raw: bytes
    alg_id: int
    kid: bytes | None
    payload: bytes
    signature: bytes

    def signing_input(self, external_aad: bytes = b"") -> bytes:
        return sig_structure(self.protected_raw, self.payload, external_aad)


def parse_sign1(value: Any, *, what: str, kid_allowed: bool) -> Sign1Parts:
    """Check the shape of an already strictly-decoded COSE_Sign1 array."""
    if not isinstance(value, list) or len(value) != 4:
        raise QrMalformed(f"{what}: a COSE_Sign1 is an array of four")
    protected_raw, unprotected, payload, signature = value
    if not isinstance(protected_raw, bytes) or not isinstance(payload, bytes) or not isinstance(signature, bytes):
        raise QrMalformed(f"{what}: protected, payload and signature must be byte strings")
    # nothing may ride in the unprotected header: it is not signed
    if unprotected != {}:
        raise QrMalformed(f"{what}: the unprotected header must be empty")
    if len(signature) != SIGNATURE_LENGTH:
        raise QrMalformed(f"{what}: signature must be {SIGNATURE_LENGTH} bytes")
    header = decode_strict(protected_raw, _PROTECTED_LIMITS)
    if not isinstance(header, dict) or set(header) - {HEADER_ALG, HEADER_KID}:
        raise QrMalformed(f"{what}: protected header may carry only alg and kid")
    alg_id = header.get(HEADER_ALG)
    if alg_id not in COSE_ALG_IDS.values():
        raise QrMalformed(f"{what}: protected header alg must be ES256 or EdDSA")
    kid = header.get(HEADER_KID)
    if kid is not None and not (isinstance(kid, bytes) and 1 <= len(kid) <= 64):
        raise QrMalformed(f"{what}: kid must be 1-64 bytes")
    if not kid_allowed and kid is not None:
        raise QrMalformed(f"{what}: no kid expected (the key comes from cnf)")
    return Sign1Parts(protected_raw, alg_id, kid, payload, signature)
