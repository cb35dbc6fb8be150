"""Date arithmetic the generators share: random days in a range, adding whole years."""

from __future__ import annotations

import random
from calendar import monthrange
from datetime import date, timedelta


def random_date(rng: random.Random, start: date, end: date) -> date:
    """A uniformly chosen day in [start, end]; ``start`` when the range is empty."""
    span = (end - start).days
    return start if span <= 0 else start + timedelta(days=rng.randint(0, span))


def add_years(day: date, years: int) -> date:
    """Same day ``years`` later; 29 February falls back to the 28th, as registries do."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, or the month's last day when it is shorter (31 Jan → 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def age_on(birth_date: date, on: date) -> int:
    """International age in full years."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
