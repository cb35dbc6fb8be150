"""Age arithmetic and derived claims."""

from __future__ import annotations

from datetime import date

import pytest

from schemas.derived import add_derived_claims, age_on, has_reached_age
from schemas.registry import load_registry


@pytest.mark.parametrize(
    ("birth", "today", "reached"),
    [
        (date(2000, 5, 10), date(2019, 5, 9), False),   # the day before the 19th birthday
        (date(2000, 5, 10), date(2019, 5, 10), True),   # on the birthday
        (date(2000, 5, 10), date(2019, 5, 11), True),
        (date(2000, 12, 31), date(2019, 12, 30), False),
        (date(2000, 12, 31), date(2020, 1, 1), True),
        (date(2000, 1, 1), date(2018, 12, 31), False),
        # 29 February: in a common year the new age starts on 1 March (Civil Act art. 160(3))
        (date(2000, 2, 29), date(2019, 2, 28), False),
        (date(2000, 2, 29), date(2019, 3, 1), True),
        # ... and on 29 February itself when the target year is a leap year
        (date(2001, 2, 28), date(2020, 2, 28), True),
        (date(2004, 2, 29), date(2023, 2, 28), False),
        (date(2004, 2, 29), date(2023, 3, 1), True),
        (date(1985, 2, 28), date(2004, 2, 27), False),
    ],
)
def test_has_reached_19(birth: date, today: date, reached: bool) -> None:
    assert has_reached_age(birth, 19, today) is reached


def test_leap_day_birth_reaching_age_in_a_leap_year() -> None:
    # born 29 Feb 2004: 20 in 2024, a leap year, on 29 Feb itself
    assert not has_reached_age(date(2004, 2, 29), 20, date(2024, 2, 28))
    assert has_reached_age(date(2004, 2, 29), 20, date(2024, 2, 29))


@pytest.mark.parametrize(
    ("birth", "today", "age"),
    [
        (date(1990, 1, 1), date(2020, 1, 1), 30),
        (date(1990, 1, 2), date(2020, 1, 1), 29),
        (date(2000, 2, 29), date(2001, 2, 28), 0),
        (date(2000, 2, 29), date(2001, 3, 1), 1),
        (date(2000, 2, 29), date(2004, 2, 29), 4),
        (date(2020, 6, 1), date(2020, 6, 1), 0),
    ],
)
def test_age_on(birth: date, today: date, age: int) -> None:
    assert age_on(birth, today) == age


def test_age_on_agrees_with_has_reached_age_every_day_of_a_leap_cycle() -> None:
    birth = date(2000, 2, 29)
    day = date(2018, 1, 1)
    while day < date(2025, 1, 1):
        assert has_reached_age(birth, 19, day) is (age_on(birth, day) >= 19), day
        day = date.fromordinal(day.toordinal() + 1)


def test_add_derived_claims_computes_and_does_not_mutate() -> None:
    licence = load_registry().get("mobile_driver_licence")
    claims = {"name": "홍길동", "birth_date": "2007-03-01"}
    assert add_derived_claims(licence, claims, date(2026, 2, 28))["age_over_19"] is False
    assert add_derived_claims(licence, claims, date(2026, 3, 1))["age_over_19"] is True
    assert claims == {"name": "홍길동", "birth_date": "2007-03-01"}


def test_a_source_supplied_value_is_replaced_by_the_computed_one() -> None:
    licence = load_registry().get("mobile_driver_licence")
    claims = {"birth_date": "2015-01-01", "age_over_19": True}
    assert add_derived_claims(licence, claims, date(2020, 1, 1))["age_over_19"] is False


def test_derived_claim_is_left_out_without_its_source() -> None:
    licence = load_registry().get("mobile_driver_licence")
    assert add_derived_claims(licence, {"age_over_19": True}, date(2020, 1, 1)) == {}


def test_a_bad_birth_date_is_refused() -> None:
    licence = load_registry().get("mobile_driver_licence")
    for bad in ("2000/01/01", "20000101", "2000-02-30", 20000101):
        with pytest.raises(ValueError):
            add_derived_claims(licence, {"birth_date": bad}, date(2020, 1, 1))


def test_every_person_type_gets_age_over_19_from_its_example() -> None:
    for type_def in load_registry():
        claims = type_def.example_claims()
        claims.pop("age_over_19", None)
        derived = add_derived_claims(type_def, claims, date(2020, 1, 1))
        if "birth_date" in claims:
            assert derived["age_over_19"] is True, type_def.id
