"""National pension membership (the NPS registry).

Membership runs from 18 to 60 and started in 1988; civil servants are in the separate civil
service pension, so public employers never appear here. Workplaces are the employers of the
employment record, the same ones NHIS shows.
"""

from __future__ import annotations

from datetime import date

from issuers.synthetic_registry.dates import add_years
from issuers.synthetic_registry.records import Employment, PensionEntry

WORKPLACE, REGIONAL = "사업장가입자", "지역가입자"
NPS_START = date(1988, 1, 1)


def _months_between(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def membership(birth_date: date, jobs: tuple[Employment, ...], as_of: date) -> tuple[PensionEntry, ...]:
    eligible_from = max(add_years(birth_date, 18), NPS_START)
    eligible_until = min(add_years(birth_date, 60), as_of)
    entries: list[PensionEntry] = []
    for job in sorted(jobs, key=lambda j: j.start):
        if job.employer.is_public:
            continue
        start, end = max(job.start, eligible_from), min(job.end or eligible_until, eligible_until)
        if start >= end:
            continue
        entries.append(
            PensionEntry(
                category=REGIONAL if job.self_employed else WORKPLACE,
                workplace_name=None if job.self_employed else job.employer.name,
                acquired=start,
                lost=None if end >= as_of else end,
                months=max(1, _months_between(start, end)),
                monthly_income=job.monthly_income,
            )
        )
    return tuple(entries)
