"""The size budget, measured: QR version at error correction M via qrcode's own fit.

Run with ``-s`` to see the table. Mobile-ID presentations fit version 15-M with room to
spare; a customs declaration with five other goods does not (see the xfail for the figures).
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

import test_qr_support as support
from schemas.qr_image import qr_version
from test_qr_support import ALGS, MOBILE_ID_PROFILES, customs_claims, fixed_signer, make_qr

ISSUER_URL, ISSUER_AGENCY = "https://ecert.example", "kcs"
SHORT_GOODS = [("가방", 1, 1200.0, "EUR"), ("시계", 1, 850.0, "CHF"), ("화장품", 2, 180.0, "EUR"),
               ("운동화", 1, 230.0, "USD"), ("초콜릿", 5, 40.0, "EUR")]


def _customs(goods: list[tuple[str, int, float, str]] | None = None) -> dict[str, Any]:
    claims = customs_claims()
    if goods is not None:
        claims["items"]["other_goods"] = [dict(name=n, quantity=q, value=v, currency=c) for n, q, v, c in goods]
    return claims


def _size(monkeypatch: pytest.MonkeyPatch, iss: str, jti_len: int, **kwargs: Any) -> tuple[int, int]:
    monkeypatch.setattr(support, "ISS", iss)
    """(characters, QR version) of the longest text over all four issuer/device alg pairs."""
    texts = [
        make_qr(issuer=fixed_signer(issuer_alg, "issuer"), device=fixed_signer(device_alg, "device"),
                jti=hashlib.sha256(b"jti").digest()[:jti_len], **kwargs)
        for issuer_alg in ALGS
        for device_alg in ALGS
    ]
    worst = max(texts, key=len)
    return len(worst), qr_version(worst)


@pytest.mark.parametrize("profile", sorted(MOBILE_ID_PROFILES))
@pytest.mark.parametrize("iss,jti_len", [(ISSUER_URL, 16), ("knpa", 8)])
def test_mobile_id_fits_version_15_m(monkeypatch: pytest.MonkeyPatch, profile: str, iss: str, jti_len: int) -> None:
    chars, version = _size(monkeypatch, iss, jti_len, type_id="mobile_driver_licence", family="KM",
                           claims=MOBILE_ID_PROFILES[profile])
    print(f"\nmobile ID {profile:15} iss={iss!r:24} jti={jti_len:2}: {chars} chars, version {version}-M")
    assert version <= 15


CUSTOMS_CASES = {
    "5 goods, long Korean names, URL iss, jti 16": dict(goods=None, iss=ISSUER_URL, jti_len=16),
    "5 goods, long Korean names, agency iss, jti 8": dict(goods=None, iss=ISSUER_AGENCY, jti_len=8),
    "5 goods, short Korean names, agency iss, jti 8": dict(goods=SHORT_GOODS, iss=ISSUER_AGENCY, jti_len=8),
    "3 goods, long Korean names, agency iss, jti 8": dict(goods=customs_claims()["items"]["other_goods"][:3],
                                                          iss=ISSUER_AGENCY, jti_len=8),
}


@pytest.mark.parametrize("case", sorted(CUSTOMS_CASES))
def test_customs_declaration_size(monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    spec = CUSTOMS_CASES[case]
    goods = spec["goods"]
    if goods is not None and isinstance(goods[0], dict):
        goods = [(g["name"], g["quantity"], g["value"], g["currency"]) for g in goods]
    chars, version = _size(monkeypatch, spec["iss"], spec["jti_len"], type_id="customs_declaration", family="KD",
                           claims=_customs(goods))
    print(f"\ncustoms {case:48}: {chars} chars, version {version}-M")
    # measured ceiling today (a URL iss and 16-byte jti reach 17); v15 for five goods is the xfail below
    assert version <= 17


@pytest.mark.xfail(strict=True, reason="two 64-byte signatures + device key + 5 Korean-named goods: 604-660 chars, "
                   "version 16-17-M; see the closing note of issue 6 for the options")
def test_customs_with_five_goods_fits_version_15_m(monkeypatch: pytest.MonkeyPatch) -> None:
    chars, version = _size(monkeypatch, ISSUER_AGENCY, 8, type_id="customs_declaration", family="KD",
                           claims=_customs(SHORT_GOODS))
    assert version <= 15
