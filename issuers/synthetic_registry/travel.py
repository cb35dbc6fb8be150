"""Passports and border crossings (the MOJ immigration registry)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from issuers.synthetic_registry.dates import add_years, age_on, random_date
from issuers.synthetic_registry.households import Resident
from issuers.synthetic_registry.records import BorderCrossing, Passport

_PORTS = (("인천공항", 70), ("김포공항", 10), ("김해공항", 12), ("제주공항", 3), ("부산항", 5))
_DESTINATIONS = (
    ("JP", "KE", 30),
    ("VN", "VJ", 15),
    ("CN", "MU", 10),
    ("US", "OZ", 10),
    ("TH", "TG", 10),
    ("PH", "PR", 7),
    ("TW", "CI", 8),
    ("FR", "AF", 5),
    ("AU", "QF", 5),
)
# new-format numbers (M123A4567) since December 2021
_NEW_FORMAT_FROM = date(2021, 12, 21)


class TravelBuilder:
    def __init__(self, rng: random.Random, as_of: date) -> None:
        self._rng = rng
        self._as_of = as_of

    def passport(self, resident: Resident) -> Passport | None:
        rng = self._rng
        age = age_on(resident.birth_date, self._as_of)
        if age < 1 or rng.random() >= 0.5:
            return None
        adult = age >= 18
        validity = 10 if adult else 5
        issued = random_date(
            rng, max(resident.birth_date, add_years(self._as_of, -validity) + timedelta(days=1)), self._as_of
        )
        if issued >= _NEW_FORMAT_FROM:
            letter = rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ")
            number = f"M{rng.randint(0, 999):03d}{letter}{rng.randint(0, 9999):04d}"
        else:
            number = f"M{rng.randint(0, 99999999):08d}"
        return Passport(number, "복수여권", issued, add_years(issued, validity) - timedelta(days=1))

    def crossings(self, passport: Passport | None) -> tuple[BorderCrossing, ...]:
        rng = self._rng
        if passport is None:
            return ()
        crossings: list[BorderCrossing] = []
        window_start = max(passport.issued, add_years(self._as_of, -5))
        departures = sorted(random_date(rng, window_start, self._as_of) for _ in range(rng.randint(1, 6)))
        last_return = window_start - timedelta(days=1)
        for departure in departures:
            if departure <= last_return:
                continue
            country, airline, _ = rng.choices(_DESTINATIONS, weights=[w for *_, w in _DESTINATIONS])[0]
            port = rng.choices([p for p, _ in _PORTS], weights=[w for _, w in _PORTS])[0]
            crossings.append(
                BorderCrossing(departure, "departure", port, country, f"{airline}{rng.randint(100, 999)}")
            )
            back = departure + timedelta(days=rng.randint(2, 20))
            if back > self._as_of:
                break  # still abroad on the snapshot date
            crossings.append(
                BorderCrossing(back, "arrival", port, country, f"{airline}{rng.randint(100, 999)}")
            )
            last_return = back
        return tuple(crossings)
