"""The configured currency rate table (``rates.toml``): values in other currencies to USD/KRW."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from schemas.errors import InvalidInput

DEFAULT_RATES_FILE = Path(__file__).with_name("rates.toml")


@dataclass(frozen=True)
class RateTable:
    effective_from: date
    krw_per_unit: Mapping[str, Decimal]

    def to_krw(self, amount: Decimal, currency: str) -> Decimal:
        rate = self.krw_per_unit.get(currency)
        if rate is None:
            raise InvalidInput(f"no customs rate for currency {currency!r}", currency=currency)
        return amount * rate

    def to_usd(self, amount: Decimal, currency: str) -> Decimal:
        if currency == "USD":
            return amount
        return self.to_krw(amount, currency) / self.krw_per_unit["USD"]

    @property
    def krw_per_usd(self) -> Decimal:
        return self.krw_per_unit["USD"]


def load_rate_table(path: Path = DEFAULT_RATES_FILE) -> RateTable:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    rates = {code: Decimal(str(value)) for code, value in raw.get("krw_per_unit", {}).items()}
    if "USD" not in rates or not isinstance(raw.get("effective_from"), date):
        raise ValueError(f"{path.name}: needs effective_from and a USD rate")
    if any(len(code) != 3 or not code.isupper() or rate <= 0 for code, rate in rates.items()):
        raise ValueError(f"{path.name}: rates are positive, keyed by ISO 4217 codes")
    return RateTable(raw["effective_from"], rates)


@cache
def cached_rate_table(path: Path = DEFAULT_RATES_FILE) -> RateTable:
    return load_rate_table(path)
