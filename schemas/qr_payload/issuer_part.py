"""The issuer-signed half of a QR: a CWT-like claims map in a COSE_Sign1 by the issuer key.

It is signed once, when the credential (or the customs declaration) is issued, and stored
in the wallet; the device wraps it in a fresh presentation each time a QR is shown.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cbor2

from schemas.qr_payload import wire_keys as k
from schemas.qr_payload.claim_keys import QrTypeTable, compact_claims, default_type_table
from schemas.qr_payload.cose_key import cose_key_from_jwk
from schemas.qr_payload.cose_wire import SIGNATURE_LENGTH, encode_protected, encode_sign1, sig_structure
from schemas.qr_payload.envelope import compress
from schemas.qr_payload.protocols import PayloadSigner

SHORT_KID_BYTES = 8


def short_kid(kid: str) -> bytes:
    """A compact COSE kid for an issuer key: 8 bytes of SHA-256 of its kid, as the EU DCC does.

    Our own issuer parts carry no kid at all (see ``encode_issuer_part``); an issuer part that
    does carry one is still accepted and the kid narrows the keys tried.
    """
    return hashlib.sha256(kid.encode("utf-8")).digest()[:SHORT_KID_BYTES]


@dataclass(frozen=True)
class StatusRef:
    """Where the credential's status lives: a Token Status List (by its id bytes) and an index.

    The verifier turns ``list_id`` into the list's URI with the issuer's URL layout, so the QR
    does not spend 50 bytes on a URL it can rebuild.
    """

    list_id: bytes
    idx: int


@dataclass(frozen=True)
class UnsignedIssuerPart:
    """An issuer part before its signature: every byte but the signature's 64 is final."""

    protected: bytes
    payload: bytes

    @property
    def signing_input(self) -> bytes:
        return sig_structure(self.protected, self.payload)

    @property
    def length(self) -> int:
        """Length of the signed issuer part (a signature is always 64 bytes, ES256 or EdDSA)."""
        return len(encode_sign1(self.protected, self.payload, bytes(SIGNATURE_LENGTH)))

    def sign(self, signer: PayloadSigner) -> bytes:
        signature = signer.sign(self.signing_input)
        if len(signature) != SIGNATURE_LENGTH:
            raise ValueError("issuer signature must be 64 bytes (ES256 r||s or Ed25519)")
        return encode_sign1(self.protected, self.payload, signature)


def build_issuer_part(
    *,
    alg: str,
    type_id: str,
    claims: Mapping[str, Any],
    holder_jwk: Mapping[str, Any],
    iss: str,
    exp: int,
    iat: int | None = None,
    credential_id: bytes | None = None,
    status: StatusRef | None = None,
    type_table: QrTypeTable | None = None,
) -> UnsignedIssuerPart:
    """The issuer part (an untagged COSE_Sign1) binding ``claims`` to the device key, unsigned.

    Its payload is the raw DEFLATE (with the preset dictionary) of the CWT claims map, and
    the signature covers those compressed bytes: a verifier checks the signature before it
    spends anything on inflating, and the QR's final length is known before signing.

    No kid in the protected header: a verifier tries each published key of ``iss`` (one, or
    two during a rotation), which costs a signature check and saves 9 bytes (13 QR
    characters). ``iat`` is optional for the same reason. ``credential_id`` (CWT cti) names
    the issued object; ``status`` points at its status list entry.
    """
    table = type_table or default_type_table()
    qr_type = table.by_id.get(type_id)
    if qr_type is None:
        raise ValueError(f"type {type_id!r} has no QR key table")
    if iat is not None and exp <= iat:
        raise ValueError("exp must be after iat")
    if credential_id is not None and not 1 <= len(credential_id) <= k.CTI_MAX_BYTES:
        raise ValueError(f"credential_id must be 1-{k.CTI_MAX_BYTES} bytes")
    payload: dict[int, Any] = {
        k.ISS: iss,
        k.EXP: exp,
        k.CNF: {k.CNF_COSE_KEY: cose_key_from_jwk(dict(holder_jwk))},
        k.PRIVATE_CREDENTIAL: [qr_type.code, compact_claims(claims, qr_type.keys)],
    }
    if iat is not None:
        payload[k.IAT] = iat
    if credential_id is not None:
        payload[k.CTI] = credential_id
    if status is not None:
        if not 1 <= len(status.list_id) <= k.STATUS_LIST_ID_MAX_BYTES or status.idx < 0:
            raise ValueError("status list id must be 1-32 bytes and the index non-negative")
        payload[k.PRIVATE_STATUS] = [status.list_id, status.idx]
    return UnsignedIssuerPart(encode_protected(alg), compress(cbor2.dumps(payload, canonical=True)))


def encode_issuer_part(*, signer: PayloadSigner, **fields: Any) -> bytes:
    """``build_issuer_part`` signed by ``signer`` (its alg goes into the protected header)."""
    return build_issuer_part(alg=signer.alg, **fields).sign(signer)
