"""National and local tax assessments and payments (the NTS and local-tax registries).

Assessments are derived from the other registries (income from employment, property tax
from the building and land registers, car tax for drivers who own a car) so a tax record
never contradicts the rest of the population.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from issuers.synthetic_registry.dates import age_on
from issuers.synthetic_registry.households import HEAD, Resident
from issuers.synthetic_registry.records import Building, DriverLicence, Employment, LandParcel, TaxAssessment

_YEARS_ON_RECORD = 3


def _active_in(job: Employment, year: int) -> bool:
    return job.start.year <= year and (job.end is None or job.end.year >= year)


class TaxBuilder:
    def __init__(self, rng: random.Random, as_of: date) -> None:
        self._rng = rng
        self._as_of = as_of

    def _years(self) -> range:
        return range(self._as_of.year - _YEARS_ON_RECORD, self._as_of.year)

    def _paid(self, due: date) -> date:
        return due - timedelta(days=self._rng.randint(0, 20))

    def national(self, jobs: tuple[Employment, ...]) -> tuple[TaxAssessment, ...]:
        rng = self._rng
        assessments: list[TaxAssessment] = []
        for year in self._years():
            for job in jobs:
                if not _active_in(job, year):
                    continue
                # income tax for a year falls due the next spring: not yet assessed before then
                due = date(year + 1, 5, 31) if job.self_employed else date(year + 1, 3, 10)
                if due >= self._as_of:
                    continue
                if job.self_employed:
                    amount = job.monthly_income * 12 * rng.randint(3, 9) // 100 // 10 * 10
                    assessments.append(TaxAssessment(year, "종합소득세", amount, due, self._paid(due)))
                else:
                    # withheld by the employer and settled at year end: paid on the due date
                    amount = job.monthly_income * 12 * rng.randint(2, 6) // 100 // 10 * 10
                    assessments.append(TaxAssessment(year, "근로소득세", amount, due, due))
        return self._maybe_in_arrears(assessments, share=0.08, due_before=self._as_of)

    def local(
        self,
        resident: Resident,
        buildings: tuple[Building, ...],
        land: tuple[LandParcel, ...],
        licence: DriverLicence | None,
    ) -> tuple[TaxAssessment, ...]:
        rng = self._rng
        assessments: list[TaxAssessment] = []
        owns_car = licence is not None and rng.random() < 0.65
        is_head = resident.relationship == HEAD and age_on(resident.birth_date, self._as_of) >= 19
        for year in self._years():
            if is_head:
                due = date(year, 8, 31)
                assessments.append(
                    TaxAssessment(year, "주민세(개인분)", rng.choice((4_800, 10_000)), due, self._paid(due))
                )
            if buildings or land:
                base = sum(b.total_floor_area_m2 for b in buildings) * 900 + sum(p.area_m2 for p in land) * 40
                for due in (date(year, 7, 31), date(year, 9, 30)):
                    assessments.append(
                        TaxAssessment(year, "재산세", int(base) // 10 * 10 + 10_000, due, self._paid(due))
                    )
            if owns_car:
                for due in (date(year, 6, 30), date(year, 12, 31)):
                    assessments.append(
                        TaxAssessment(year, "자동차세", rng.randint(9, 35) * 10_000, due, self._paid(due))
                    )
        return self._maybe_in_arrears(assessments, share=0.06, due_before=self._as_of)

    def _maybe_in_arrears(
        self, assessments: list[TaxAssessment], share: float, due_before: date
    ) -> tuple[TaxAssessment, ...]:
        """Leave the most recent assessment unpaid for a few taxpayers."""
        if assessments and self._rng.random() < share:
            latest = max(range(len(assessments)), key=lambda i: assessments[i].due_date)
            item = assessments[latest]
            if item.due_date < due_before:
                assessments[latest] = TaxAssessment(
                    item.year, item.tax_item, item.amount, item.due_date, None
                )
        return tuple(sorted(assessments, key=lambda a: (a.due_date, a.tax_item)))


def arrears(assessments: tuple[TaxAssessment, ...]) -> int:
    """Total unpaid, in won."""
    return sum(a.amount for a in assessments if a.in_arrears)


__all__ = ["TaxBuilder", "arrears"]
