"""What exceeds the allowance, the estimated duty and the risk flags of a declaration.

Works on the declaration's QR claims, so the traveller's app (before submitting) and the
officer's desk (from a verified QR, even offline) get the same figures from the same code.

Arithmetic, all in Decimal:
- other goods: each line converted to USD with the rate table; the total over the basic
  allowance is dutiable;
- alcohol within bottles, litres and value is free; over any limit (or under 19) its whole
  value is dutiable (the allowance is a condition, not a deduction);
- perfume and tobacco over the allowance are listed, but the form gives no value for them,
  so they are not in the estimate (the officer assesses them at the desk);
- duty = dutiable KRW (rounded down to the won) x the configured flat rate, rounded down;
  the voluntary-declaration reduction is rate x duty, capped, rounded down.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

from issuers.customs.rates import RateTable
from issuers.customs.rules import RuleBook, Rules


@dataclass(frozen=True)
class Excess:
    category: str
    declared: str
    allowance: str
    #: the value this excess adds to the dutiable total; None when the form has no value for it
    dutiable_usd: Decimal | None


@dataclass(frozen=True)
class DutyEstimate:
    dutiable_usd: Decimal
    dutiable_krw: int
    rate: Decimal
    duty_krw: int
    reduction_krw: int
    payable_krw: int


@dataclass(frozen=True)
class Assessment:
    rules_day: date
    rates_effective_from: date
    other_goods_usd: Decimal
    excesses: tuple[Excess, ...]
    duty: DutyEstimate
    risk_flags: tuple[str, ...] = field(default_factory=tuple)

    def public(self) -> dict[str, Any]:
        return {
            "rules_day": self.rules_day.isoformat(),
            "rates_effective_from": self.rates_effective_from.isoformat(),
            "other_goods_usd": str(self.other_goods_usd.quantize(Decimal("0.01"))),
            "over_allowance": [
                {
                    "category": e.category,
                    "declared": e.declared,
                    "allowance": e.allowance,
                    "dutiable_usd": None if e.dutiable_usd is None else str(e.dutiable_usd.quantize(Decimal("0.01"))),
                }
                for e in self.excesses
            ],
            "estimated_duty": {
                "dutiable_usd": str(self.duty.dutiable_usd.quantize(Decimal("0.01"))),
                "dutiable_krw": self.duty.dutiable_krw,
                "rate": str(self.duty.rate),
                "duty_krw": self.duty.duty_krw,
                "voluntary_reduction_krw": self.duty.reduction_krw,
                "payable_krw": self.duty.payable_krw,
            },
            "risk_flags": list(self.risk_flags),
        }


#: claim → risk flag shown at the gate
RISK_FLAGS: dict[str, str] = {
    "prohibited_goods": "prohibited_goods",
    "quarantine_goods": "quarantine_goods",
    "currency_over_10000_usd": "cash_over_10000_usd",
    "goods_for_sale": "goods_for_sale",
}


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _floor(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_DOWN))


def estimate_duty(dutiable_usd: Decimal, *, rules: Rules, rates: RateTable, duty_rate: Decimal) -> DutyEstimate:
    dutiable_krw = _floor(dutiable_usd * rates.krw_per_usd)
    duty = _floor(Decimal(dutiable_krw) * duty_rate)
    reduction = min(_floor(Decimal(duty) * rules.reduction_rate), _floor(rules.reduction_cap_krw))
    return DutyEstimate(dutiable_usd, dutiable_krw, duty_rate, duty, reduction, duty - reduction)


def _alcohol(items: Mapping[str, Any], rules: Rules, adult: bool) -> Excess | None:
    bottles = int(items.get("alcohol_bottles", 0))
    litres = Decimal(str(items.get("alcohol_litres", 0)))
    value = Decimal(str(items.get("alcohol_value_usd", 0)))
    if bottles == 0 and litres == 0 and value == 0:
        return None
    within = bottles <= rules.alcohol_bottles and litres <= rules.alcohol_litres and value <= rules.alcohol_usd
    if adult and within:
        return None
    allowance = (
        f"{rules.alcohol_bottles} bottles, {rules.alcohol_litres} L, USD {rules.alcohol_usd}" if adult else "none under 19"
    )
    return Excess("alcohol", f"{bottles} bottles, {litres} L, USD {value}", allowance, value)


def assess(
    claims: Mapping[str, Any], *, rule_book: RuleBook, rates: RateTable, duty_rate: Decimal
) -> Assessment:
    """Assess with the rules in force on the arrival date (goods are imported that day)."""
    day = date.fromisoformat(claims["arrival_date"])
    rules = rule_book.in_force(day)
    adult = _age_on(date.fromisoformat(claims["birth_date"]), day) >= rules.tobacco_min_age
    items: Mapping[str, Any] = claims.get("items") or {}
    excesses: list[Excess] = []

    other_usd = sum(
        (rates.to_usd(Decimal(str(g.get("value", 0))), g.get("currency", "USD")) for g in items.get("other_goods", [])),
        Decimal(0),
    )
    if other_usd > rules.basic_allowance_usd:
        over = other_usd - rules.basic_allowance_usd
        excesses.append(Excess("basic", f"USD {other_usd.quantize(Decimal('0.01'))}", f"USD {rules.basic_allowance_usd}", over))
    alcohol = _alcohol(items, rules, adult)
    if alcohol is not None:
        excesses.append(alcohol)
    cigarettes = int(items.get("cigarettes", 0))
    tobacco_allowance = rules.tobacco_limits["cigarettes"] if adult else Decimal(0)
    if cigarettes > tobacco_allowance:
        excesses.append(Excess("tobacco", f"{cigarettes} cigarettes (or equivalent)", f"{tobacco_allowance} cigarettes", None))
    perfume = Decimal(str(items.get("perfume_ml", 0)))
    if perfume > rules.perfume_ml:
        excesses.append(Excess("perfume", f"{perfume} ml", f"{rules.perfume_ml} ml", None))

    dutiable = sum((e.dutiable_usd for e in excesses if e.dutiable_usd is not None), Decimal(0))
    flags = [flag for claim, flag in RISK_FLAGS.items() if claims.get(claim) is True]
    if excesses:
        flags.append("over_allowance")
    return Assessment(
        rules_day=day,
        rates_effective_from=rates.effective_from,
        other_goods_usd=other_usd,
        excesses=tuple(excesses),
        duty=estimate_duty(dutiable, rules=rules, rates=rates, duty_rate=duty_rate),
        risk_flags=tuple(flags),
    )
