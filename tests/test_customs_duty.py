"""Allowance and duty arithmetic: rate table, effective dates, the reduction cap."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from issuers.customs.assessment import assess
from issuers.customs.form import DeclarationForm, cigarette_equivalents, qr_claims
from issuers.customs.rates import load_rate_table
from issuers.customs.rules import load_rule_book


RULES = load_rule_book()
RATES_TOML = """
effective_from = 2026-01-05
[krw_per_unit]
USD = 1400
EUR = 1500
JPY = 10
"""


@pytest.fixture
def rates(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "rates.toml"
    path.write_text(RATES_TOML)
    return load_rate_table(path)


def _claims(arrival: str = "2026-02-01", birth: str = "1990-01-01", **items: Any) -> dict[str, Any]:
    return {"arrival_date": arrival, "birth_date": birth, "items": items}


def _assess(claims: dict[str, Any], rates, rate: str = "0.20"):  # type: ignore[no-untyped-def]
    return assess(claims, rule_book=RULES, rates=rates, duty_rate=Decimal(rate))


def test_rules_in_force_follow_effective_dates() -> None:
    assert RULES.in_force(date(2022, 9, 5)).basic_allowance_usd == 600
    assert RULES.in_force(date(2022, 9, 6)).basic_allowance_usd == 800
    assert RULES.in_force(date(2023, 12, 31)).perfume_ml == 60
    assert RULES.in_force(date(2024, 1, 1)).perfume_ml == 100
    today = RULES.in_force(date(2026, 1, 9))
    assert (today.alcohol_bottles, today.alcohol_litres, today.alcohol_usd) == (2, 2, 400)
    assert (today.reduction_rate, today.reduction_cap_krw) == (Decimal("0.3"), 200000)


def test_within_the_allowance_owes_nothing(rates) -> None:  # type: ignore[no-untyped-def]
    result = _assess(_claims(other_goods=[{"name": "가방", "quantity": 1, "value": 500, "currency": "EUR"}]), rates)
    # 500 EUR = 750 000 KRW = USD 535.71 < 800
    assert result.excesses == () and result.duty.payable_krw == 0 and result.risk_flags == ()


def test_rate_table_conversion_and_flat_rate_with_reduction(rates) -> None:  # type: ignore[no-untyped-def]
    goods = [{"name": "가방", "quantity": 1, "value": 1200, "currency": "EUR"},
             {"name": "의류", "quantity": 3, "value": 28000, "currency": "JPY"}]
    result = _assess(_claims(other_goods=goods), rates)
    # 1200 EUR = 1 800 000 KRW; 28 000 JPY = 280 000 KRW; total 2 080 000 KRW = USD 1485.714...
    assert result.other_goods_usd.quantize(Decimal("0.001")) == Decimal("1485.714")
    duty = result.duty
    # over USD 800 by 685.714... → 960 000 KRW (rounded down to the won), 20 % = 192 000
    assert duty.dutiable_krw == 960000 and duty.duty_krw == 192000
    assert duty.reduction_krw == 57600 and duty.payable_krw == 134400


def test_reduction_is_capped_at_200000_won(rates) -> None:  # type: ignore[no-untyped-def]
    goods = [{"name": "손목시계", "quantity": 1, "value": 10800, "currency": "USD"}]
    duty = _assess(_claims(other_goods=goods), rates).duty
    # USD 10 000 over → 14 000 000 KRW, 20 % = 2 800 000; 30 % of that is 840 000, capped
    assert (duty.dutiable_krw, duty.duty_krw, duty.reduction_krw, duty.payable_krw) == (14_000_000, 2_800_000, 200_000, 2_600_000)


def test_duty_rate_is_configuration(rates) -> None:  # type: ignore[no-untyped-def]
    goods = [{"name": "가방", "quantity": 1, "value": 900, "currency": "USD"}]
    assert _assess(_claims(other_goods=goods), rates, rate="0.20").duty.duty_krw == 28000
    assert _assess(_claims(other_goods=goods), rates, rate="0.08").duty.duty_krw == 11200


def test_basic_allowance_effective_date(rates) -> None:  # type: ignore[no-untyped-def]
    goods = [{"name": "가방", "quantity": 1, "value": 700, "currency": "USD"}]
    assert _assess(_claims("2022-09-05", other_goods=goods), rates).duty.dutiable_krw == 140000  # USD 100 over 600
    assert _assess(_claims("2022-09-06", other_goods=goods), rates).excesses == ()


def test_perfume_effective_date(rates) -> None:  # type: ignore[no-untyped-def]
    assert [e.category for e in _assess(_claims("2023-12-31", perfume_ml=80), rates).excesses] == ["perfume"]
    assert _assess(_claims("2024-01-01", perfume_ml=80), rates).excesses == ()


def test_alcohol_limits_and_age(rates) -> None:  # type: ignore[no-untyped-def]
    ok = _claims(alcohol_bottles=2, alcohol_litres=1.5, alcohol_value_usd=380)
    assert _assess(ok, rates).excesses == ()
    for over in (dict(alcohol_bottles=3), dict(alcohol_litres=2.5), dict(alcohol_value_usd=450)):
        result = _assess({**ok, "items": {**ok["items"], **over}}, rates)
        assert [e.category for e in result.excesses] == ["alcohol"]
    # whole value dutiable once over: USD 450 → 630 000 KRW, 20 % = 126 000
    assert _assess(_claims(alcohol_bottles=1, alcohol_litres=1, alcohol_value_usd=450), rates).duty.duty_krw == 126000
    minor = _assess(_claims(birth="2010-01-01", alcohol_bottles=1, alcohol_litres=0.5, alcohol_value_usd=30, cigarettes=20), rates)
    assert [e.category for e in minor.excesses] == ["alcohol", "tobacco"]


def test_tobacco_equivalents() -> None:
    form = DeclarationForm.model_validate({
        "name": "A", "birth_date": "1990-01-01", "passport_number": "M1234567", "nationality": "KR",
        "flight_number": "KE1", "arrival_date": "2026-02-01",
        "items": {"cigarettes": 100, "cigars": 25}})
    rules = RULES.in_force(date(2026, 2, 1))
    assert cigarette_equivalents(form.items, rules) == 200
    assert qr_claims(form, rules)["items"]["cigarettes"] == 200


def test_risk_flags(rates) -> None:  # type: ignore[no-untyped-def]
    claims = {**_claims(), "quarantine_goods": True, "currency_over_10000_usd": True, "prohibited_goods": True}
    assert _assess(claims, rates).risk_flags == ("prohibited_goods", "quarantine_goods", "cash_over_10000_usd")


def test_unknown_currency_is_refused(rates) -> None:  # type: ignore[no-untyped-def]
    from schemas.errors import InvalidInput

    with pytest.raises(InvalidInput):
        _assess(_claims(other_goods=[{"name": "x", "quantity": 1, "value": 1, "currency": "XYZ"}]), rates)


# --- a day before the first rule (issue 12): a 4xx that says so, on every route that looks it up ---


def test_a_day_before_every_rule_is_a_domain_error() -> None:
    from issuers.customs.errors import NoCustomsRule

    with pytest.raises(NoCustomsRule) as raised:
        RULES.in_force(date(2010, 1, 1))
    assert raised.value.code == "no_customs_rule" and raised.value.status == 422


def _traveller(client):  # type: ignore[no-untyped-def]
    from tests.issuing_helpers import person_with_record
    from tests.wallet_app import MobileApp

    app = MobileApp(client, person_with_record(client.app.state.ecert, "mobile_driver_licence"))
    app.enrol()
    app.sign_in(app.register_device("phone"))
    return app


def _form(arrival: str) -> dict[str, Any]:
    return {"name": "HONG GILDONG", "birth_date": "1990-01-01", "passport_number": "M12345678", "nationality": "KR",
            "flight_number": "KE902", "arrival_date": arrival, "accompanying_family_count": 0,
            "countries_visited": ["FR"], "items": {"perfume_ml": 50}}


def _no_rule(r) -> None:  # type: ignore[no-untyped-def]
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "no_customs_rule" and r.json()["date"] == "2010-01-01"


def test_assessment_before_the_first_rule_is_422(app_client) -> None:  # type: ignore[no-untyped-def]
    app = _traveller(app_client)
    _no_rule(app_client.post("/v1/customs/assessment", json=_form("2010-01-01"), headers=app.auth))


def test_declaring_on_a_day_before_the_first_rule_is_422_and_writes_nothing(settings) -> None:  # type: ignore[no-untyped-def]
    # a server whose clock stands before the rule book (a mis-set clock, or rules that start later)
    from datetime import UTC, datetime

    from fastapi.testclient import TestClient
    from sqlmodel import Session, func, select

    from issuers.customs.models import CustomsDeclaration
    from wallet_api.app import create_app
    from wallet_api.clock import FixedClock

    clock = FixedClock(datetime(2009, 12, 31, 3, tzinfo=UTC))
    with TestClient(create_app(settings, clock=clock), base_url="https://ecert.test") as client:
        app = _traveller(client)
        _no_rule(client.post("/v1/customs/declarations", json=_form("2010-01-01"), headers=app.auth))
        with Session(client.app.state.ecert.engine) as session:  # type: ignore[attr-defined]
            assert session.exec(select(func.count()).select_from(CustomsDeclaration)).one() == 0
