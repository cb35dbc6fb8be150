"""The declaration form as the traveller fills it, and its claims as they go into the QR.

Money is declared in whole units of its currency (the paper form has no cents; JPY and KRW
have none at all): entered decimals are rounded half-up. Besides honesty about precision it
keeps each value a 1-3 byte CBOR integer in the QR instead of a 9-byte float64.
Other goods' ``value`` is the amount paid for the whole line (quantity included).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from issuers.customs.rules import Rules

MAX_OTHER_GOODS = 8
_PASSPORT = r"^[A-Z0-9]{6,9}$"
_COUNTRY = r"^[A-Z]{2}$"
_FLIGHT = r"^[A-Z0-9]{2}[0-9]{1,4}[A-Z]?$"


class OtherGood(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=30)
    quantity: int = Field(ge=1, le=9999)
    value: Decimal = Field(ge=0, le=10**9, description="paid for the whole line, in `currency`")
    currency: str = Field(pattern=r"^[A-Z]{3}$")


class Items(BaseModel):
    model_config = ConfigDict(extra="forbid")
    alcohol_bottles: int = Field(default=0, ge=0, le=999)
    alcohol_litres: Decimal = Field(default=Decimal(0), ge=0, le=999, decimal_places=2)
    alcohol_value_usd: Decimal = Field(default=Decimal(0), ge=0, le=10**8)
    cigarettes: int = Field(default=0, ge=0, le=100000)
    cigars: int = Field(default=0, ge=0, le=10000)
    other_tobacco_g: int = Field(default=0, ge=0, le=100000)
    perfume_ml: int = Field(default=0, ge=0, le=100000)
    other_goods: list[OtherGood] = Field(default_factory=list, max_length=MAX_OTHER_GOODS)


class IdentityFields(BaseModel):
    """The fields a stored credential can fill in (each may also be typed by the traveller)."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=60)
    birth_date: date | None = None
    passport_number: str | None = Field(default=None, pattern=_PASSPORT)
    nationality: str | None = Field(default=None, pattern=_COUNTRY)


class DeclarationInput(IdentityFields):
    """What the app sends; identity fields left out are taken from ``identity_from_credential``."""

    identity_from_credential: str | None = Field(default=None, max_length=32)
    flight_number: str = Field(pattern=_FLIGHT)
    arrival_date: date
    accompanying_family_count: int = Field(default=0, ge=0, le=20)
    countries_visited: list[Annotated[str, Field(pattern=_COUNTRY)]] = Field(default_factory=list, max_length=10)
    items: Items = Field(default_factory=Items)
    currency_over_10000_usd: bool = False
    prohibited_goods: bool = False
    quarantine_goods: bool = False
    goods_for_sale: bool = False


class DeclarationForm(DeclarationInput):
    """A complete form: identity fields present."""

    name: str = Field(min_length=1, max_length=60)
    birth_date: date
    passport_number: str = Field(pattern=_PASSPORT)
    nationality: str = Field(pattern=_COUNTRY)


def whole(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def cigarette_equivalents(items: Items, rules: Rules) -> int:
    """Mixed tobacco as cigarettes: each kind counts as its share of its own allowance."""
    limits = rules.tobacco_limits
    share = (
        Decimal(items.cigarettes) / limits["cigarettes"]
        + Decimal(items.cigars) / limits["cigars"]
        + Decimal(items.other_tobacco_g) / limits["other_tobacco_g"]
    )
    return int((share * limits["cigarettes"]).to_integral_value(rounding=ROUND_CEILING))


def _number(value: Decimal) -> int | float:
    # integral values travel as CBOR integers; 1.5 L stays a (half-precision) float
    return int(value) if value == value.to_integral_value() else float(value)


def qr_claims(form: DeclarationForm, rules: Rules) -> dict[str, Any]:
    """The claims of the customs_declaration QR type (see schemas/qr_payload/claim_keys.toml).

    The declaration number is not among them: the gate reads it online, and offline the
    officer does not need it to judge the traveller in front of them (20 bytes saved).
    """
    items = form.items
    return {
        "name": form.name,
        "birth_date": form.birth_date.isoformat(),
        "passport_number": form.passport_number,
        "nationality": form.nationality,
        "flight_number": form.flight_number,
        "arrival_date": form.arrival_date.isoformat(),
        "accompanying_family_count": form.accompanying_family_count,
        "countries_visited": list(form.countries_visited),
        "items": {
            "alcohol_bottles": items.alcohol_bottles,
            "alcohol_litres": _number(items.alcohol_litres),
            "alcohol_value_usd": whole(items.alcohol_value_usd),
            "cigarettes": cigarette_equivalents(items, rules),
            "perfume_ml": items.perfume_ml,
            "other_goods": [
                {"name": g.name, "quantity": g.quantity, "value": whole(g.value), "currency": g.currency}
                for g in items.other_goods
            ],
        },
        "currency_over_10000_usd": form.currency_over_10000_usd,
        "prohibited_goods": form.prohibited_goods,
        "quarantine_goods": form.quarantine_goods,
        "goods_for_sale": form.goods_for_sale,
    }
