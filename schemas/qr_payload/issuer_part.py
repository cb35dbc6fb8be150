"""The issuer-signed half of a QR: a CWT-like claims map in a COSE_Sign1 by the issuer key.

It is signed once, when the credential (or the customs declaration) is issued, and stored
in the wallet; the device wraps it in a fresh presentation each time a QR is shown.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import cbor2

from schemas.qr_payload import wire_keys as k
from schemas.qr_payload.claim_keys import QrTypeTable, compact_claims, default_type_table
from schemas.qr_payload.cose_key import cose_key_from_jwk
from schemas.qr_payload.cose_wire import encode_protected, encode_sign1, sig_structure
from schemas.qr_payload.protocols import PayloadSigner

SHORT_KID_BYTES = 8


def short_kid(kid: str) -> bytes:
    """The COSE kid for an issuer key: 8 bytes of SHA-256 of its kid, as the EU DCC does.

    Our kids are 43-character JWK thumbprints; 8 bytes save ~50 QR characters and still
    collide with probability ~2^-64 among one issuer's handful of keys.
    """
    return hashlib.sha256(kid.encode("utf-8")).digest()[:SHORT_KID_BYTES]


def encode_issuer_part(
    *,
    signer: PayloadSigner,
    type_id: str,
    claims: Mapping[str, Any],
    holder_jwk: Mapping[str, Any],
    iss: str,
    iat: int,
    exp: int,
    credential_id: bytes | None = None,
    type_table: QrTypeTable | None = None,
) -> bytes:
    """The issuer part (an untagged COSE_Sign1, CBOR bytes) binding ``claims`` to the device key.

    ``credential_id`` (CWT cti) names the issued object, e.g. one version of a customs
    declaration, so the desk can mark it used or superseded.
    """
    table = type_table or default_type_table()
    qr_type = table.by_id.get(type_id)
    if qr_type is None:
        raise ValueError(f"type {type_id!r} has no QR key table")
    if exp <= iat:
        raise ValueError("exp must be after iat")
    if credential_id is not None and not 1 <= len(credential_id) <= k.CTI_MAX_BYTES:
        raise ValueError(f"credential_id must be 1-{k.CTI_MAX_BYTES} bytes")
    payload: dict[int, Any] = {
        k.ISS: iss,
        k.EXP: exp,
        k.IAT: iat,
        k.CNF: {k.CNF_COSE_KEY: cose_key_from_jwk(dict(holder_jwk))},
        k.PRIVATE_CREDENTIAL: [qr_type.code, compact_claims(claims, qr_type.keys)],
    }
    if credential_id is not None:
        payload[k.CTI] = credential_id
    payload_bytes = cbor2.dumps(payload, canonical=True)
    protected = encode_protected(signer.alg, short_kid(signer.kid))
    signature = signer.sign(sig_structure(protected, payload_bytes))
    return encode_sign1(protected, payload_bytes, signature)
