"""Health-insurance eligibility and premiums (the NHIS registry).

Every resident is covered from birth (or from the July 2000 merger that created NHIS's
records): as an employee of the employer in their employment record, as a dependant of a
working household member, or as a self-insured regional subscriber.
"""

from __future__ import annotations

import random
from datetime import date

from issuers.synthetic_registry.dates import add_months
from issuers.synthetic_registry.records import Employment, InsuranceEntry, PremiumPayment

EMPLOYEE, REGIONAL, DEPENDANT = "직장가입자", "지역가입자", "피부양자"
#: NHIS was formed by merging the insurers on 1 July 2000; earlier history is not on record
RECORDS_FROM = date(2000, 7, 1)
_EMPLOYEE_RATE = 0.03545  # the employee's half of the 2024 contribution rate


def _segments(jobs: tuple[Employment, ...], start: date, end: date) -> list[tuple[date, date, Employment]]:
    """Parts of [start, end) covered by the jobs, in order."""
    parts: list[tuple[date, date, Employment]] = []
    cursor = start
    for job in sorted(jobs, key=lambda j: j.start):
        # a job taken up before the last one formally ended starts counting when that one ends
        a, b = max(job.start, cursor), min(job.end or end, end)
        if a < b:
            parts.append((a, b, job))
            cursor = b
    return parts


class InsuranceBuilder:
    def __init__(self, rng: random.Random, as_of: date) -> None:
        self._rng = rng
        self._as_of = as_of

    def eligibility(
        self,
        birth_date: date,
        joined_household: date,
        own_jobs: tuple[Employment, ...],
        supporter_jobs: tuple[Employment, ...],
    ) -> tuple[InsuranceEntry, ...]:
        """Own jobs take precedence; gaps are covered by the supporter's employee jobs (only
        once the person lives in the supporter's household) or regionally."""
        start = max(birth_date, RECORDS_FROM)
        periods: list[tuple[date, date, str, str | None]] = []
        cursor = start
        for a, b, job in _segments(own_jobs, start, self._as_of):
            periods.extend(self._gap(cursor, a, supporter_jobs, joined_household))
            periods.append(
                (
                    a,
                    b,
                    REGIONAL if job.self_employed else EMPLOYEE,
                    None if job.self_employed else job.employer.name,
                )
            )
            cursor = b
        periods.extend(self._gap(cursor, self._as_of, supporter_jobs, joined_household))
        merged: list[tuple[date, date, str, str | None]] = []
        for period in periods:
            if merged and merged[-1][2:] == period[2:] and merged[-1][1] == period[0]:
                merged[-1] = (merged[-1][0], period[1], *period[2:])
            else:
                merged.append(period)
        return tuple(
            InsuranceEntry(category, workplace, a, None if b >= self._as_of else b)
            for a, b, category, workplace in merged
        )

    def _gap(
        self, start: date, end: date, supporter_jobs: tuple[Employment, ...], joined_household: date
    ) -> list[tuple[date, date, str, str | None]]:
        if start >= end:
            return []
        employee_jobs = tuple(j for j in supporter_jobs if not j.self_employed)
        periods: list[tuple[date, date, str, str | None]] = []
        cursor = start
        for a, b, job in _segments(employee_jobs, max(start, joined_household), end):
            if cursor < a:
                periods.append((cursor, a, REGIONAL, None))
            periods.append((a, b, DEPENDANT, job.employer.name))
            cursor = b
        if cursor < end:
            periods.append((cursor, end, REGIONAL, None))
        return periods

    def premiums(
        self, entries: tuple[InsuranceEntry, ...], own_jobs: tuple[Employment, ...]
    ) -> tuple[PremiumPayment, ...]:
        """Premiums for the twelve months before the snapshot month, for months the person paid."""
        regional_amount = self._rng.randint(20, 260) * 1_000
        payments: list[PremiumPayment] = []
        first_of_month = self._as_of.replace(day=1)
        for back in range(12, 0, -1):
            month = add_months(first_of_month, -back)
            entry = next(
                (e for e in entries if e.acquired <= month and (e.lost is None or e.lost > month)), None
            )
            if entry is None or entry.category == DEPENDANT:
                continue
            if entry.category == EMPLOYEE:
                job = next(
                    j for j in own_jobs if j.employer.name == entry.workplace_name and not j.self_employed
                )
                amount = round(job.monthly_income * _EMPLOYEE_RATE / 10) * 10
            else:
                amount = regional_amount
            payments.append(
                PremiumPayment(
                    f"{month.year:04d}-{month.month:02d}", amount, add_months(month, 1).replace(day=10)
                )
            )
        return tuple(payments)
