"""The customs QR size budget (issue 14): measured on the real bytes, refused before signing.

The QR's length is exact before signing (only the issuer payload is compressed); a
declaration over version 15-M gets 422 ``declaration_too_large`` naming how much is over and
which fields cost most, and nothing is signed or stored.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from issuers.customs.errors import DeclarationTooLarge
from issuers.customs.qr_issuer import MAX_QR_CHARS, sign_issuer_part
from tests.qr_desk import _declaration, _finish, _scanned, _signed_in
from tests.qr_payloads import NOW, customs_claims, fixed_signer
from wallet_api.clock import FixedClock
from tests.counting_signer import CountingSigner


#: 30 characters each, words the preset dictionary does not hold: eight lines cannot fit
UNLISTED = ["Handmade ceramic tea cup set #{}", "Vintage brass compass replica {}", "Hand-painted silk fan, blue {}",
            "Carved olive wood salad bowl {}"]


def _too_many_goods() -> list[dict[str, Any]]:
    return [{"name": UNLISTED[i % 4].format(i)[:30], "quantity": 1, "value": 100 + i, "currency": "EUR"} for i in range(8)]


def test_refused_before_anything_is_signed() -> None:
    claims = customs_claims()
    claims["items"]["other_goods"] = _too_many_goods()
    signer = CountingSigner(fixed_signer("ES256", "issuer"))
    with pytest.raises(DeclarationTooLarge) as err:
        sign_issuer_part(signer=signer, claims=claims, holder_jwk=fixed_signer("EdDSA", "device").public_jwk,
                         exp=NOW + 86400)
    assert signer.signed == 0
    problem = err.value.to_problem()
    assert problem["status"] == 422 and problem["code"] == "declaration_too_large"
    assert problem["over_by_chars"] == problem["qr_chars"] - MAX_QR_CHARS > 0
    # what to shorten: each free-text field with what it costs, the costliest first
    costs = [entry["chars"] for entry in problem["shorten"]]
    assert costs == sorted(costs, reverse=True) and costs[0] > 0
    assert {entry["field"] for entry in problem["shorten"]} == {f"items.other_goods[{i}].name" for i in range(8)} | {"name"}
    assert "shorten the goods names" in problem["detail"]


def test_api_answers_422_and_stores_nothing(app_client: TestClient, clock: FixedClock) -> None:
    app, _ = _signed_in(app_client)
    form = _declaration(clock)
    form["items"]["other_goods"] = _too_many_goods()
    r = app_client.post("/v1/customs/declarations", json=form, headers=app.auth)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["code"] == "declaration_too_large" and body["over_by_chars"] > 0
    assert app_client.get("/v1/customs/declarations", headers=app.auth).json() == []


def test_budget_case_is_accepted_and_drawn_at_15_m(app_client: TestClient, clock: FixedClock) -> None:
    # five goods with long Korean names, alcohol, tobacco and perfume, three family members
    app, phone = _signed_in(app_client)
    form = _declaration(clock, accompanying_family_count=3)
    form["items"].update({"cigarettes": 200, "alcohol_bottles": 2, "alcohol_litres": "1.5", "perfume_ml": 100})
    form["items"]["other_goods"] = [
        {"name": "여성용 가죽 핸드백 및 지갑 선물 세트 (명품 브랜드 정품)"[:30], "quantity": 1, "value": "1200", "currency": "EUR"},
        {"name": "남성용 스위스 자동 손목시계", "quantity": 1, "value": "850", "currency": "CHF"},
        {"name": "화장품 선물 세트", "quantity": 2, "value": "180", "currency": "EUR"},
        {"name": "러닝화", "quantity": 1, "value": "230", "currency": "USD"},
        {"name": "초콜릿", "quantity": 5, "value": "40", "currency": "EUR"},
    ]
    r = app_client.post("/v1/customs/declarations", json=form, headers=app.auth)
    assert r.status_code == 201, r.text
    finished = _finish(app, phone, r.json()["presentation"])
    assert finished["qr_version"] <= 15 and len(finished["text"]) <= MAX_QR_CHARS
    _scanned(finished)  # zxing-cpp reads it back

