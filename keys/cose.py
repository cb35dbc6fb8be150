"""COSE_Sign1 (RFC 9052 §4) signing and verification with ``keys.jws`` keys.

The algorithm comes from the key, never from the message: the protected header's alg must
equal the key's (ES256 -> -7, EdDSA -> -8) or the message is refused before any signature
maths, as for JWS (RFC 8725 §3.1). ``keys`` imports nothing from ``schemas``, so the CBOR
shape of the QR payload is parsed there (strictly, with bounds) and handed here as parts;
``schemas.qr_payload.cose_wire`` builds the same Sig_structure bytes (a test checks they match).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cbor2

from keys.errors import JWSAlgorithmRefused, JWSMalformed, JWSSignatureInvalid
from keys.jws import Signer, VerificationKey

COSE_ALG_BY_JOSE: dict[str, int] = {"ES256": -7, "EdDSA": -8}
HEADER_ALG, HEADER_CRIT, HEADER_KID = 1, 2, 4
#: a protected header is a few bytes; anything bigger is not ours and is not parsed
MAX_PROTECTED_BYTES = 128


@dataclass(frozen=True)
class CoseSign1:
    """The four members of a COSE_Sign1; the signature is NOT checked by constructing one."""

    protected: bytes
    payload: bytes
    signature: bytes
    unprotected: dict[Any, Any] = field(default_factory=dict)

    def encode(self, *, tagged: bool = False) -> bytes:
        array = [self.protected, self.unprotected, self.payload, self.signature]
        return cbor2.dumps(cbor2.CBORTag(18, array) if tagged else array)


def encode_protected(alg: str, kid: bytes | None = None) -> bytes:
    header: dict[int, Any] = {HEADER_ALG: COSE_ALG_BY_JOSE[alg]}
    if kid is not None:
        header[HEADER_KID] = kid
    return cbor2.dumps(header, canonical=True)


def sig_structure(protected: bytes, payload: bytes, external_aad: bytes = b"") -> bytes:
    """ToBeSigned for COSE_Sign1: ["Signature1", body_protected, external_aad, payload]."""
    return cbor2.dumps(["Signature1", protected, external_aad, payload])


def sign1(signer: Signer, payload: bytes, *, kid: bytes | None = None, external_aad: bytes = b"") -> CoseSign1:
    protected = encode_protected(signer.alg, kid)
    return CoseSign1(protected, payload, signer.sign(sig_structure(protected, payload, external_aad)))


def protected_header(protected: bytes) -> dict[Any, Any]:
    if len(protected) > MAX_PROTECTED_BYTES:
        raise JWSMalformed("COSE protected header too large")
    if protected == b"":
        return {}
    try:
        header = cbor2.loads(protected)
    except (cbor2.CBORDecodeError, ValueError, TypeError, RecursionError):
        raise JWSMalformed("COSE protected header is not CBOR") from None
    if not isinstance(header, dict):
        raise JWSMalformed("COSE protected header is not a map")
    return header


def verify_sign1(message: CoseSign1, key: VerificationKey, *, external_aad: bytes = b"") -> dict[Any, Any]:
    """Verify or raise a ``keys.errors`` error; returns the protected header."""
    header = protected_header(message.protected)
    if HEADER_CRIT in header:
        raise JWSMalformed("crit COSE header parameters are not supported")
    if header.get(HEADER_ALG) != COSE_ALG_BY_JOSE.get(key.alg):
        raise JWSAlgorithmRefused(f"key {key.kid} allows {key.alg}; the message says {header.get(HEADER_ALG)!r}")
    if not isinstance(message.signature, bytes) or len(message.signature) != 64:
        raise JWSSignatureInvalid("COSE signature must be 64 bytes")
    key.verify(sig_structure(message.protected, message.payload, external_aad), message.signature)
    return header
