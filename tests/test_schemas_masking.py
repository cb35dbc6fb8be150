"""Masking of sensitive claims for display."""

from __future__ import annotations

import pytest

from schemas.masking import HIDDEN, mask_rrn, masked_display
from schemas.registry import load_registry


@pytest.mark.parametrize(
    ("rrn", "masked"),
    [
        ("900101-1234567", "900101-1******"),
        ("9001011234567", "900101-1******"),
        (" 051231-4000001 ", "051231-4******"),
    ],
)
def test_mask_rrn(rrn: str, masked: str) -> None:
    assert mask_rrn(rrn) == masked


@pytest.mark.parametrize("bad", ["", "900101-123456", "90010-11234567", "abcdef-1234567", "900101_1234567"])
def test_mask_rrn_refuses_what_is_not_an_rrn(bad: str) -> None:
    with pytest.raises(ValueError):
        mask_rrn(bad)


def test_top_level_rrn_is_masked_and_the_rest_untouched() -> None:
    type_def = load_registry().get("resident_registration_abstract")
    claims = type_def.example_claims()
    shown = masked_display(type_def, claims)
    assert shown["resident_registration_number"] == "900101-1******"
    assert {k: v for k, v in shown.items() if k != "resident_registration_number"} == {
        k: v for k, v in claims.items() if k != "resident_registration_number"
    }
    assert claims["resident_registration_number"] == "900101-1234567"  # input not mutated


def test_rrn_inside_array_of_objects_is_masked() -> None:
    type_def = load_registry().get("resident_registration_copy")
    claims = type_def.example_claims()
    claims["members"] = [
        {"relationship": "본인", "name": "홍길동", "resident_registration_number": "800101-1234567",
         "move_in_date": "2015-03-02"},
        {"relationship": "배우자", "name": "김영희", "resident_registration_number": "820202-2345678",
         "move_in_date": "2015-03-02"},
    ]
    shown = masked_display(type_def, claims)
    assert [m["resident_registration_number"] for m in shown["members"]] == [
        "800101-1******", "820202-2******",
    ]
    assert [m["name"] for m in shown["members"]] == ["홍길동", "김영희"]


def test_other_sensitive_claims_are_hidden_entirely() -> None:
    military = load_registry().get("military_service_record")
    shown = masked_display(military, {"name": "홍길동", "exemption_reason": "질병"})
    assert shown == {"name": "홍길동", "exemption_reason": HIDDEN}
    pension = load_registry().get("national_pension_membership")
    assert masked_display(pension, {"standard_monthly_income": 3200000}) == {
        "standard_monthly_income": HIDDEN
    }


def test_malformed_rrn_is_hidden_not_shown() -> None:
    type_def = load_registry().get("resident_registration_abstract")
    shown = masked_display(type_def, {"resident_registration_number": "garbage-123"})
    assert shown["resident_registration_number"] == HIDDEN


def test_unknown_keys_pass_through() -> None:
    type_def = load_registry().get("land_register")
    assert masked_display(type_def, {"iss": "https://x", "owner_name": "홍길동"}) == {
        "iss": "https://x", "owner_name": "홍길동",
    }
