"""The size budget, measured: QR version at error correction M via qrcode's own fit.

Run with ``-s`` to see the table (``python -m benchmarks.qr_sizes`` prints the full one).
Every case is the longest text over the four issuer/device algorithm pairs (ES256/EdDSA each
side); the length no longer depends on the signatures or the jti (only the issuer payload is
compressed). Production issuer parts use the agency id as iss ("kcs", "knpa"), no kid, no
iat, a 4-byte jti; mobile ID carries its status list reference.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from qr_symbols.images import qr_version
from schemas.qr_payload import StatusRef, build_presentation, encode_issuer_part, finish_presentation
from schemas.qr_payload import wire_keys as k
from tests.qr_payloads import ALGS, MOBILE_ID_PROFILES, NOW, customs_claims, fixed_signer

ISSUER_URL = "https://ecert.example"
#: the brief's realistic goods, whole currency units (the customs domain rounds to them)
REALISTIC_GOODS = [("화장품 세트", 2, 180, "EUR"), ("가방", 1, 1200, "EUR"), ("손목시계", 1, 850, "CHF"),
                   ("전자제품", 1, 650, "USD"), ("의류", 3, 24000, "JPY")]
#: names the preset dictionary does not know: the budget still holds for two words each
UNLISTED_GOODS = [("도자기 찻잔", 2, 180, "EUR"), ("가죽 장갑", 1, 120, "EUR"), ("스위스 칼", 1, 85, "CHF"),
                  ("무선 이어폰", 1, 250, "USD"), ("캐시미어 코트", 1, 900, "GBP")]
#: the issue-14 budget case: five goods with long Korean names (33 characters the longest),
#: alcohol, tobacco and perfume, three family members
LONG_KOREAN_GOODS = [("여성용 가죽 핸드백 및 지갑 선물 세트 (명품 브랜드 정품)", 1, 1200, "EUR"),
                     ("남성용 스위스 자동 손목시계", 1, 850, "CHF"), ("화장품 선물 세트", 2, 180, "EUR"),
                     ("러닝화", 1, 230, "USD"), ("초콜릿", 5, 40, "EUR")]
STATUS = StatusRef(hashlib.sha256(b"list").digest()[:16], 131_000)


def _customs(goods: list[tuple[str, int, Any, str]] | None) -> dict[str, Any]:
    claims = customs_claims()
    if goods is not None:
        claims["items"]["other_goods"] = [dict(name=n, quantity=q, value=v, currency=c) for n, q, v, c in goods]
    return claims


def _text(type_id: str, family: str, claims: dict[str, Any], iss: str, jti_len: int, status: StatusRef | None,
          issuer_alg: str, device_alg: str) -> str:
    issuer, device = fixed_signer(issuer_alg, "issuer"), fixed_signer(device_alg, "device")
    part = encode_issuer_part(signer=issuer, type_id=type_id, claims=claims, holder_jwk=device.public_jwk, iss=iss,
                              exp=NOW + 30 * 86400, status=status)
    unsigned = build_presentation(issuer_part=part, family=family, device_alg=device.alg, now=NOW, ttl_s=30,
                                  jti=hashlib.sha256(b"jti").digest()[:jti_len])
    return finish_presentation(unsigned, device.sign(unsigned.signing_input))


def _size(*args: Any) -> tuple[int, int]:
    worst = max((_text(*args, a, b) for a in ALGS for b in ALGS), key=len)
    return len(worst), qr_version(worst)


MOBILE_CASES = {
    f"{profile}, iss {iss}, jti {jti}": (profile, iss, jti)
    for profile in sorted(MOBILE_ID_PROFILES)
    for iss, jti in (("knpa", k.JTI_BYTES), (ISSUER_URL, 16))
}


@pytest.mark.parametrize("case", sorted(MOBILE_CASES))
def test_mobile_id_fits_version_15_m_and_13_m_as_issued(case: str) -> None:
    profile, iss, jti = MOBILE_CASES[case]
    chars, version = _size("mobile_driver_licence", "KM", MOBILE_ID_PROFILES[profile], iss, jti, STATUS)
    print(f"\nmobile ID {case:45}: {chars} chars, version {version}-M")
    assert version <= 15
    if iss == "knpa" and jti == k.JTI_BYTES:  # what the service issues: version 13-M at most
        assert version <= 13


CUSTOMS_CASES = {
    "5 realistic goods, iss kcs, jti 4": (REALISTIC_GOODS, "kcs", 4),
    "5 goods of the support fixture, iss kcs, jti 4": (None, "kcs", 4),
    "5 unlisted goods names, iss kcs, jti 4": (UNLISTED_GOODS, "kcs", 4),
    "5 long Korean goods names, 3 family, iss kcs, jti 4": (LONG_KOREAN_GOODS, "kcs", 4),
    "5 realistic goods, URL iss, jti 16": (REALISTIC_GOODS, ISSUER_URL, 16),
}


@pytest.mark.parametrize("case", sorted(CUSTOMS_CASES))
def test_customs_declaration_with_five_goods_fits_version_15_m(case: str) -> None:
    goods, iss, jti = CUSTOMS_CASES[case]
    claims = _customs(goods)
    claims["accompanying_family_count"] = 3
    chars, version = _size("customs_declaration", "KD", claims, iss, jti, None)
    print(f"\ncustoms {case:47}: {chars} chars, version {version}-M")
    assert version <= 15
    # 15-M holds 600 alphanumeric characters
    assert chars <= 600
