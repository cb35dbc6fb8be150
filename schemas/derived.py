"""Claims the issuing pipeline computes from other claims (``derive`` in a type file).

Age predicates let a verifier learn "19 or over" without the birth date. They are computed
here and only here, so an adapter cannot assert an age its birth date does not support.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from schemas.claim_formats import is_iso_date
from schemas.type_models import CertificateType, ClaimDefinition, DeriveRule


def add_derived_claims(
    type_def: CertificateType, claims: dict[str, Any], today: date
) -> dict[str, Any]:
    """A copy of ``claims`` with every derived claim computed as of ``today``.

    A value already present for a derived claim is replaced: the computed value is the only
    one the issuer signs. A derived claim whose source is absent is left out, and the
    claims check then reports it if the type requires it.
    """
    return _derive_object(type_def.claims, claims, today)


def age_on(birth_date: date, today: date) -> int:
    """Completed years of age on ``today`` (만 나이)."""
    years = today.year - birth_date.year
    if today < _anniversary(birth_date, today.year):
        years -= 1
    return years


def has_reached_age(birth_date: date, years: int, today: date) -> bool:
    return today >= _anniversary(birth_date, birth_date.year + years)


def _anniversary(birth_date: date, year: int) -> date:
    """The birthday in ``year``; for 29 February in a common year, 1 March.

    Civil Act art. 160(3): when the corresponding day does not exist in the final month, the
    period ends on that month's last day, so the new year of age starts the day after, 1 March.
    """
    try:
        return birth_date.replace(year=year)
    except ValueError:
        return date(year, 3, 1)


def _age_over(rule: DeriveRule, source: Any, today: date) -> bool:
    return has_reached_age(_parse_date(source, rule.from_), rule.years, today)


_RULES: dict[str, Callable[[DeriveRule, Any, date], Any]] = {
    "age_over": _age_over,
}


def _derive_object(
    definitions: list[ClaimDefinition], values: dict[str, Any], today: date
) -> dict[str, Any]:
    result = dict(values)
    for definition in definitions:
        value = result.get(definition.name)
        if definition.type == "object" and isinstance(value, dict):
            result[definition.name] = _derive_object(definition.properties or [], value, today)
        elif definition.type == "array" and isinstance(value, list):
            result[definition.name] = [_derive_element(definition, v, today) for v in value]
    for definition in definitions:
        rule = definition.derive
        if rule is None:
            continue
        source = result.get(rule.from_)
        if source is None:
            result.pop(definition.name, None)
            continue
        result[definition.name] = _RULES[rule.rule](rule, source, today)
    return result


def _derive_element(definition: ClaimDefinition, element: Any, today: date) -> Any:
    items = definition.items
    if items is not None and items.type == "object" and isinstance(element, dict):
        return _derive_object(items.properties or [], element, today)
    return element


def _parse_date(value: Any, claim_name: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and is_iso_date(value):
        return date.fromisoformat(value)
    raise ValueError(f"{claim_name!r} is not an ISO date: {value!r}")
