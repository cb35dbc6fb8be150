"""The allowance rules of a day, read from ``rules.toml`` (periods with effective dates)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from issuers.customs.errors import NoCustomsRule

DEFAULT_RULES_FILE = Path(__file__).with_name("rules.toml")
RULE_NAMES = ("basic_allowance", "alcohol", "perfume", "tobacco", "cash", "voluntary_reduction")


@dataclass(frozen=True)
class Rules:
    """Every rule as in force on ``day``; values are Decimals (money and volumes)."""

    day: date
    basic_allowance_usd: Decimal
    alcohol_bottles: int
    alcohol_litres: Decimal
    alcohol_usd: Decimal
    perfume_ml: Decimal
    tobacco_limits: Mapping[str, Decimal]
    tobacco_min_age: int
    cash_declare_over_usd: Decimal
    reduction_rate: Decimal
    reduction_cap_krw: Decimal


@dataclass(frozen=True)
class RuleBook:
    periods: Mapping[str, tuple[dict[str, Any], ...]]

    def in_force(self, day: date) -> Rules:
        rule = {name: self._period(name, day) for name in RULE_NAMES}
        tobacco = rule["tobacco"]
        return Rules(
            day=day,
            basic_allowance_usd=_dec(rule["basic_allowance"]["usd"]),
            alcohol_bottles=int(rule["alcohol"]["bottles"]),
            alcohol_litres=_dec(rule["alcohol"]["litres"]),
            alcohol_usd=_dec(rule["alcohol"]["usd"]),
            perfume_ml=_dec(rule["perfume"]["ml"]),
            tobacco_limits={k: _dec(v) for k, v in tobacco.items() if k not in ("effective_from", "min_age")},
            tobacco_min_age=int(tobacco.get("min_age", 19)),
            cash_declare_over_usd=_dec(rule["cash"]["declare_over_usd"]),
            reduction_rate=_dec(rule["voluntary_reduction"]["rate"]),
            reduction_cap_krw=_dec(rule["voluntary_reduction"]["cap_krw"]),
        )

    def _period(self, name: str, day: date) -> dict[str, Any]:
        in_force = [p for p in self.periods[name] if p["effective_from"] <= day]
        if not in_force:
            raise NoCustomsRule(f"no {name} rule is in force on {day.isoformat()}", date=day.isoformat(), rule=name)
        return max(in_force, key=lambda p: p["effective_from"])


def _dec(value: Any) -> Decimal:
    # via str: 0.3 read by TOML as a float must become Decimal("0.3"), not 0.2999...
    return Decimal(str(value))


def load_rule_book(path: Path = DEFAULT_RULES_FILE) -> RuleBook:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    periods: dict[str, tuple[dict[str, Any], ...]] = {}
    for name in RULE_NAMES:
        entries = raw.get(name)
        if not entries or not all(isinstance(e.get("effective_from"), date) for e in entries):
            raise ValueError(f"{path.name}: {name} needs periods with an effective_from date")
        days = [e["effective_from"] for e in entries]
        if len(set(days)) != len(days):
            raise ValueError(f"{path.name}: two {name} periods start on the same day")
        periods[name] = tuple(entries)
    return RuleBook(periods)


@cache
def cached_rule_book(path: Path = DEFAULT_RULES_FILE) -> RuleBook:
    return load_rule_book(path)
