"""QR text -> ``UnverifiedQrPresentation``: every parsing guard, no signature checked yet.

Order matters: cheap, bounded checks come before anything that allocates or computes, and
every failure is a ``schemas.errors`` subclass with its own code (see ``schemas.qr_errors``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from schemas.errors import TypeMismatch
from schemas.qr_errors import QrJtiInvalid, QrMalformed
from schemas.qr_payload import wire_keys as k
from schemas.qr_payload.cbor_reader import CborLimits, decode_strict
from schemas.qr_payload.claim_keys import (
    TAG_DAYS_SINCE_EPOCH,
    QrType,
    QrTypeTable,
    default_type_table,
    expand_claims,
)
from schemas.qr_payload.cose_key import jwk_from_cose_key
from schemas.qr_payload.cose_wire import Sign1Parts, parse_sign1
from schemas.qr_payload.envelope import check_length, decode_body, inflate, split_prefix
from schemas.qr_payload.issuer_part import StatusRef


@dataclass(frozen=True)
class QrLimits:
    # v40-L holds 4296 alphanumeric characters; ours stay under 600 (version 15-M)
    max_text_len: int = 1500
    max_inflated_bytes: int = 8 * 1024
    max_cbor_depth: int = 8
    max_cbor_items: int = 512


@dataclass(frozen=True)
class UnverifiedQrPresentation:
    """Parsed and shape-checked; NOTHING here is authenticated yet."""

    family: str
    device: Sign1Parts
    issuer: Sign1Parts
    issuer_part: bytes
    #: the issuer payload inflated: the CBOR claims map (``issuer.payload`` is what was signed)
    issuer_payload_inflated: bytes
    unverified_iss: str
    unverified_issued_at: int | None
    unverified_credential_expires_at: int
    unverified_credential_id: bytes | None
    unverified_status: StatusRef | None
    unverified_holder_jwk: dict[str, str]
    unverified_type: QrType
    unverified_claims: dict[str, Any]
    unverified_presented_at: int
    unverified_expires_at: int
    unverified_jti: bytes
    unverified_challenge: bytes | None


def decode_qr_text(
    text: Any, *, limits: QrLimits = QrLimits(), type_table: QrTypeTable | None = None
) -> UnverifiedQrPresentation:
    if not isinstance(text, str):
        raise QrMalformed("QR payload must be text")
    # scanners in keyboard mode often append a line end; nothing else is trimmed
    text = text.rstrip("\r\n")
    check_length(text, max_text_len=limits.max_text_len)
    family, body = split_prefix(text)
    raw = decode_body(body)
    plain = CborLimits(max_depth=limits.max_cbor_depth, max_items=limits.max_cbor_items)
    claims_limits = CborLimits(
        max_depth=limits.max_cbor_depth,
        max_items=limits.max_cbor_items,
        allowed_tags=frozenset({TAG_DAYS_SINCE_EPOCH}),
    )

    device = parse_sign1(decode_strict(raw, plain), what="presentation", kid_allowed=False)
    presentation = _signed_map(
        decode_strict(device.payload, plain), k.PRESENTATION_REQUIRED, k.PRESENTATION_OPTIONAL, "presentation"
    )
    issuer_part = _bytes(presentation[k.PRIVATE_CREDENTIAL], "issuer part")
    issuer = parse_sign1(decode_strict(issuer_part, plain), what="issuer part", kid_allowed=True)
    # the issuer signed the compressed bytes (``issuer.payload``); what they inflate to is bounded
    credential_bytes = inflate(issuer.payload, max_inflated_bytes=limits.max_inflated_bytes)
    credential = _signed_map(
        decode_strict(credential_bytes, claims_limits), k.ISSUER_PART_REQUIRED, k.ISSUER_PART_OPTIONAL, "issuer part"
    )

    jti = _bytes(presentation[k.CTI], "jti")
    if not k.JTI_MIN_BYTES <= len(jti) <= k.JTI_MAX_BYTES:
        raise QrJtiInvalid(f"jti must be {k.JTI_MIN_BYTES}-{k.JTI_MAX_BYTES} bytes, got {len(jti)}")
    challenge = presentation.get(k.NONCE)
    if challenge is not None and not 1 <= len(_bytes(challenge, "nonce")) <= k.NONCE_MAX_BYTES:
        raise QrMalformed("nonce has the wrong length")
    credential_id = credential.get(k.CTI)
    if credential_id is not None and not 1 <= len(_bytes(credential_id, "cti")) <= k.CTI_MAX_BYTES:
        raise QrMalformed("cti has the wrong length")

    qr_type, claims = _credential(credential[k.PRIVATE_CREDENTIAL], type_table or default_type_table())
    if qr_type.prefix_family != family:
        raise TypeMismatch(f"type {qr_type.type_id} is not shown under prefix {family}")
    cnf = credential[k.CNF]
    if not isinstance(cnf, dict) or set(cnf) != {k.CNF_COSE_KEY}:
        raise QrMalformed("cnf must be {1: COSE_Key}")
    iss = credential[k.ISS]
    if not isinstance(iss, str) or not iss:
        raise QrMalformed("iss must be non-empty text")

    return UnverifiedQrPresentation(
        family=family,
        device=device,
        issuer=issuer,
        issuer_part=issuer_part,
        issuer_payload_inflated=credential_bytes,
        unverified_iss=iss,
        unverified_issued_at=_time(credential[k.IAT], "iat") if k.IAT in credential else None,
        unverified_credential_expires_at=_time(credential[k.EXP], "exp"),
        unverified_credential_id=credential_id,
        unverified_status=_status(credential.get(k.PRIVATE_STATUS)),
        unverified_holder_jwk=jwk_from_cose_key(cnf[k.CNF_COSE_KEY]),
        unverified_type=qr_type,
        unverified_claims=claims,
        unverified_presented_at=_time(presentation[k.IAT], "presentation iat"),
        unverified_expires_at=_time(presentation[k.EXP], "presentation exp"),
        unverified_jti=jti,
        unverified_challenge=challenge,
    )


def _signed_map(value: Any, required: frozenset[int], optional: frozenset[int], what: str) -> dict[int, Any]:
    if not isinstance(value, dict):
        raise QrMalformed(f"{what} payload must be a map")
    keys = set(value)
    if not required <= keys or keys - required - optional:
        raise QrMalformed(f"{what} payload has missing or unexpected keys")
    return value


def _credential(value: Any, table: QrTypeTable) -> tuple[QrType, dict[str, Any]]:
    if not isinstance(value, list) or len(value) != 2:
        raise QrMalformed("credential must be [type, claims]")
    code, wire_claims = value
    qr_type = table.by_code.get(code) if isinstance(code, int) and not isinstance(code, bool) else None
    if qr_type is None:
        raise QrMalformed(f"unknown QR type code {code!r}")
    return qr_type, expand_claims(wire_claims, qr_type.keys)


def _status(value: Any) -> StatusRef | None:
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 2:
        raise QrMalformed("status must be [list id, index]")
    list_id, idx = value
    if not isinstance(list_id, bytes) or not 1 <= len(list_id) <= k.STATUS_LIST_ID_MAX_BYTES:
        raise QrMalformed("status list id must be 1-32 bytes")
    if isinstance(idx, bool) or not isinstance(idx, int) or idx < 0:
        raise QrMalformed("status index must be a non-negative integer")
    return StatusRef(list_id, idx)


def _bytes(value: Any, what: str) -> bytes:
    if not isinstance(value, bytes):
        raise QrMalformed(f"{what} must be a byte string")
    return value


def _time(value: Any, what: str) -> int:
    # NumericDate as an integer; before 2000 or after 2200 is a bug or an attack, not a clock
    if isinstance(value, bool) or not isinstance(value, int) or not 946_684_800 <= value <= 7_258_118_400:
        raise QrMalformed(f"{what} must be an integer NumericDate")
    return value
