"""KNPA driver registry: 운전경력증명서 and the mobile driver licence (same system, one adapter)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from issuers.adapters.person_claims import identity
from issuers.adapters.population_adapter import PopulationAdapter, TypeMapping
from issuers.synthetic_registry import Person
from issuers.synthetic_registry.dates import add_years

#: the period a driving record covers when the requester does not choose one
DEFAULT_PERIOD_YEARS = 5
#: penalty points accumulate over three years (누산점수) before they lapse
POINTS_WINDOW_YEARS = 3
LICENCE_VALID = "유효"


class KnpaAdapter(PopulationAdapter):
    adapter_id = "knpa"
    agency_id = "knpa"
    agency_name = "경찰청"

    def type_mappings(self) -> Mapping[str, TypeMapping]:
        return {
            "driving_record": TypeMapping(self._no_licence, self._driving_record),
            "mobile_driver_licence": TypeMapping(self._no_licence, self._mobile_licence),
        }

    @staticmethod
    def _no_licence(person: Person) -> str | None:
        return None if person.licence is not None else "holds no driving licence"

    def _driving_record(self, person: Person) -> dict[str, Any]:
        licence = person.licence
        assert licence is not None  # checked by _no_licence
        end = self.population.as_of
        start = max(add_years(end, -DEFAULT_PERIOD_YEARS), licence.first_issued)
        points_from = add_years(end, -POINTS_WINDOW_YEARS)
        violations = [v for v in person.violations if start <= v.date <= end]
        accidents = [a for a in person.accidents if start <= a.date <= end]
        points = sum(v.points for v in violations if v.date >= points_from)
        points += sum(a.points for a in accidents if a.date >= points_from)
        return {
            **identity(person),
            "licence_number": licence.number,
            "licence_classes": list(licence.classes),
            "acquired_date": licence.first_issued,
            "licence_status": LICENCE_VALID,
            "period_start": start,
            "period_end": end,
            "violations_count": len(violations),
            "penalty_points": points,
            "accidents_count": len(accidents),
            "accidents": [{"date": a.date, "severity": a.severity} for a in accidents],
        }

    @staticmethod
    def _mobile_licence(person: Person) -> dict[str, Any]:
        licence = person.licence
        assert licence is not None  # checked by _no_licence
        return {
            **identity(person),
            "address": person.address.road_address,
            "licence_number": licence.number,
            "licence_classes": list(licence.classes),
            "issue_date": licence.issued,
            "expiry_date": licence.expires,
            "condition_codes": list(licence.conditions) or None,
            "portrait_sha256": person.portrait_sha256,
            "issuing_authority": licence.issuing_agency,
        }
