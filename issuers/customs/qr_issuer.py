"""Signing a declaration version's issuer part, and refusing one that would not fit a v15-M QR.

The QR's length is an exact function of the issuer part's compressed payload (nothing after it
is compressed, signatures are always 64 bytes, the jti has a fixed size): the check measures
the real bytes before anything is signed, so no declaration is refused after signing and no
accepted one is drawn above version 15.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from issuers.customs.errors import DeclarationTooLarge
from keys.jws import Signer
from schemas.qr_payload import build_issuer_part, presentation_text_length
from schemas.qr_payload import wire_keys as k
from schemas.qr_payload.issuer_part import UnsignedIssuerPart

TYPE_ID = "customs_declaration"
FAMILY = "KD"
#: the QR carries the agency id, not a URL: 3 bytes instead of 20+ (see tests/test_qr_size.py)
CUSTOMS_ISS = "kcs"
MAX_QR_VERSION = 15
#: alphanumeric characters version 15 holds at error correction M (ISO/IEC 18004 table 7)
MAX_QR_CHARS = 600
#: fields a traveller can shorten, in the order the refusal lists them when they cost the same
_SHORTENABLE = ("name",)


def sign_issuer_part(*, signer: Signer, claims: Mapping[str, Any], holder_jwk: Mapping[str, Any], exp: int) -> bytes:
    unsigned = _unsigned(signer.alg, claims, holder_jwk, exp)
    check_fits(unsigned, claims=claims, holder_jwk=holder_jwk, alg=signer.alg, exp=exp)
    return unsigned.sign(signer)


def _unsigned(alg: str, claims: Mapping[str, Any], holder_jwk: Mapping[str, Any], exp: int) -> UnsignedIssuerPart:
    return build_issuer_part(alg=alg, type_id=TYPE_ID, claims=claims, holder_jwk=holder_jwk, iss=CUSTOMS_ISS, exp=exp)


def qr_chars(unsigned: UnsignedIssuerPart, *, exp: int) -> int:
    """Characters of every QR a device will make of this issuer part (exact, not an estimate)."""
    # any time of this century has the same CBOR width as the presentation's real iat/exp
    return presentation_text_length(
        issuer_part_length=unsigned.length, family=FAMILY, device_alg="ES256", now=exp, ttl_s=60, jti_bytes=k.JTI_BYTES,
    )


def check_fits(
    unsigned: UnsignedIssuerPart, *, claims: Mapping[str, Any], holder_jwk: Mapping[str, Any], alg: str, exp: int
) -> None:
    chars = qr_chars(unsigned, exp=exp)
    if chars <= MAX_QR_CHARS:
        return
    costs = _field_costs(claims, holder_jwk, alg, exp, chars)
    worst = ", ".join(f"{field} ({cost} characters)" for field, cost in costs[:3])
    raise DeclarationTooLarge(
        f"the declaration's QR would be {chars} characters, {chars - MAX_QR_CHARS} over the {MAX_QR_CHARS} of "
        f"version {MAX_QR_VERSION}-M: shorten the goods names or list fewer lines; longest: {worst}",
        qr_chars=chars,
        max_qr_chars=MAX_QR_CHARS,
        over_by_chars=chars - MAX_QR_CHARS,
        shorten=[{"field": field, "chars": cost} for field, cost in costs],
    )


def _field_costs(
    claims: Mapping[str, Any], holder_jwk: Mapping[str, Any], alg: str, exp: int, chars: int
) -> list[tuple[str, int]]:
    """What each free-text field costs in QR characters: the length saved by leaving it empty."""
    costs: list[tuple[str, int]] = []
    goods = claims["items"]["other_goods"]
    for index in range(len(goods)):
        trimmed = {**claims, "items": {**claims["items"], "other_goods": [
            {**good, "name": ""} if i == index else good for i, good in enumerate(goods)
        ]}}
        costs.append((f"items.other_goods[{index}].name", chars - qr_chars(_unsigned(alg, trimmed, holder_jwk, exp), exp=exp)))
    for field in _SHORTENABLE:
        costs.append((field, chars - qr_chars(_unsigned(alg, {**claims, field: ""}, holder_jwk, exp), exp=exp)))
    return sorted(costs, key=lambda item: -item[1])
