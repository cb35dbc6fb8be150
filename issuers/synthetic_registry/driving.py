"""Driving licences, violations and accidents (the KNPA driver registry)."""

from __future__ import annotations

import random
import string
from datetime import date

from issuers.synthetic_registry.dates import add_years, age_on, random_date
from issuers.synthetic_registry.geography import province_of
from issuers.synthetic_registry.households import Resident
from issuers.synthetic_registry.records import DriverLicence, TrafficAccident, TrafficViolation

_CLASS_SETS = (
    (("1종 보통",), 55),
    (("2종 보통",), 33),
    (("1종 대형", "1종 보통"), 8),
    (("2종 보통", "2종 소형"), 4),
)
# (description, points, fine in won), weights below
_VIOLATIONS = (
    ("신호위반", 15, 60_000),
    ("속도위반(20km/h 이하)", 0, 30_000),
    ("속도위반(20km/h 초과 40km/h 이하)", 15, 60_000),
    ("중앙선침범", 30, 60_000),
    ("안전띠 미착용", 0, 30_000),
    ("운전 중 휴대전화 사용", 15, 60_000),
    ("음주운전(0.03% 이상 0.08% 미만)", 100, 0),
)
_VIOLATION_WEIGHTS = (25, 30, 20, 6, 10, 8, 1)
_ACCIDENTS = (("물적피해", "물적피해 사고", 0), ("경상", "경상 1명", 5), ("중상", "중상 1명", 15))


class DrivingBuilder:
    def __init__(self, rng: random.Random, as_of: date) -> None:
        self._rng = rng
        self._as_of = as_of

    def licence(self, resident: Resident) -> DriverLicence | None:
        rng = self._rng
        if age_on(resident.birth_date, self._as_of) < 19:
            return None
        if rng.random() >= (0.74 if resident.is_male else 0.5):
            return None
        first = random_date(
            rng, add_years(resident.birth_date, 18), min(add_years(resident.birth_date, 35), self._as_of)
        )
        classes = rng.choices([c for c, _ in _CLASS_SETS], weights=[w for _, w in _CLASS_SETS])[0]
        # the aptitude test / renewal falls due every ten years from first issue
        cycles = 1
        while add_years(first, 10 * cycles) <= self._as_of:
            cycles += 1
        due = add_years(first, 10 * cycles)
        if due <= add_years(self._as_of, 3):
            # a renewal due within three years has already been done early, so every licence
            # stays valid well past the snapshot date whatever day certificates are issued on
            issued = random_date(rng, max(first, add_years(self._as_of, -1)), self._as_of)
            expires = add_years(due, 10)
        else:
            issued, expires = add_years(first, 10 * (cycles - 1)), due
        region = province_of(resident.district).licence_region
        return DriverLicence(
            number=f"{region}-{first.year % 100:02d}-{rng.randint(0, 999999):06d}-{rng.randint(10, 99)}",
            classes=classes,
            first_issued=first,
            issued=issued,
            expires=expires,
            conditions=("A",) if rng.random() < 0.04 else (),
            card_serial="".join(rng.choices(string.ascii_uppercase + string.digits, k=6)),
            issuing_agency=f"{resident.district.sido}경찰청장",
        )

    def record(
        self, licence: DriverLicence | None
    ) -> tuple[tuple[TrafficViolation, ...], tuple[TrafficAccident, ...]]:
        rng = self._rng
        if licence is None:
            return (), ()
        violations: list[TrafficViolation] = []
        if rng.random() < 0.4:
            for _ in range(rng.randint(1, 4)):
                description, points, fine = rng.choices(_VIOLATIONS, weights=_VIOLATION_WEIGHTS)[0]
                violations.append(
                    TrafficViolation(
                        random_date(rng, licence.first_issued, self._as_of), description, points, fine
                    )
                )
        accidents: list[TrafficAccident] = []
        if rng.random() < 0.1:
            severity, description, points = rng.choice(_ACCIDENTS)
            accidents.append(
                TrafficAccident(
                    random_date(rng, licence.first_issued, self._as_of), description, severity, points
                )
            )
        return tuple(sorted(violations, key=lambda v: v.date)), tuple(accidents)
