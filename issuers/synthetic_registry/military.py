"""Military service records and exemptions (the MMA registry).

Roughly half the men born before 2004 served on active duty; others did alternative service
(보충역) or were exempted; the rest have no record the digital registry can certify (many
records of men born before the 1960s were never digitised).
"""

from __future__ import annotations

import random
from datetime import date

from issuers.synthetic_registry.dates import add_months, add_years, random_date
from issuers.synthetic_registry.households import Resident
from issuers.synthetic_registry.records import MilitaryService

# (branch, months of service in the 2010s, weight)
_BRANCHES = (("육군", 21, 70), ("해군", 23, 8), ("공군", 24, 14), ("해병대", 21, 8))
_RANKS = (("병장", 88), ("하사", 6), ("중위", 4), ("대위", 2))


class MilitaryBuilder:
    def __init__(self, rng: random.Random, as_of: date) -> None:
        self._rng = rng
        self._as_of = as_of

    def service(self, resident: Resident) -> MilitaryService | None:
        rng = self._rng
        if not resident.is_male or resident.birth_date.year >= 2004 or resident.birth_date.year < 1950:
            return None
        decided = random_date(rng, add_years(resident.birth_date, 19), add_years(resident.birth_date, 20))
        roll = rng.random()
        if roll < 0.56:
            return self._active(resident, decided)
        if roll < 0.67:
            return self._alternative(decided)
        if roll < 0.75:
            disposition = rng.choice(("면제", "전시근로역"))
            reason = rng.choice(("질병", "신체등급 5급", "생계유지곤란", "신체등급 6급"))
            return MilitaryService(disposition, None, None, None, None, None, None, reason, decided)
        return None

    def _active(self, resident: Resident, decided: date) -> MilitaryService:
        rng = self._rng
        branch, months, _ = rng.choices(_BRANCHES, weights=[w for *_, w in _BRANCHES])[0]
        enlisted = random_date(rng, decided, min(add_years(resident.birth_date, 24), self._as_of))
        # service was 24-36 months before the reforms of the 2000s
        months += max(0, (2005 - enlisted.year) // 3)
        rank = rng.choices([r for r, _ in _RANKS], weights=[w for _, w in _RANKS])[0]
        if rank != "병장":
            months += 12
        discharged: date | None = add_months(enlisted, months)
        discharge_type: str | None = "만기전역" if rng.random() < 0.95 else "의병전역"
        if discharged is not None and discharged > self._as_of:
            discharged, discharge_type, rank = None, None, "상병"
        return MilitaryService(
            disposition="현역",
            branch=branch,
            rank=rank,
            service_number=f"{enlisted.year % 100:02d}-{rng.randint(70000000, 79999999)}",
            enlisted=enlisted,
            discharged=discharged,
            discharge_type=discharge_type,
            exemption_reason=None,
            decided=decided,
        )

    def _alternative(self, decided: date) -> MilitaryService:
        rng = self._rng
        enlisted = random_date(rng, decided, min(add_years(decided, 3), self._as_of))
        discharged: date | None = add_months(enlisted, 21)
        discharge_type: str | None = "소집해제"
        if discharged is not None and discharged > self._as_of:
            discharged, discharge_type = None, None
        return MilitaryService(
            "보충역", "사회복무요원", None, None, enlisted, discharged, discharge_type, None, decided
        )
