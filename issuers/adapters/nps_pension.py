"""National Pension Service: 국민연금 가입자 가입증명 (current membership only)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from issuers.adapters.person_claims import identity
from issuers.adapters.population_adapter import PopulationAdapter, TypeMapping
from issuers.synthetic_registry import Person
from issuers.synthetic_registry.records import PensionEntry


def _current(person: Person) -> PensionEntry | None:
    return next((entry for entry in reversed(person.pension) if entry.lost is None), None)


class NpsPensionAdapter(PopulationAdapter):
    adapter_id = "nps_pension"
    agency_id = "nps"
    agency_name = "국민연금공단"

    def type_mappings(self) -> Mapping[str, TypeMapping]:
        return {"national_pension_membership": TypeMapping(self._missing, self._membership)}

    @staticmethod
    def _missing(person: Person) -> str | None:
        if _current(person) is not None:
            return None
        if person.pension:
            return "membership ended (over 60, left work, or moved to a public-service pension)"
        return "never a member"

    @staticmethod
    def _membership(person: Person) -> dict[str, Any]:
        current = _current(person)
        assert current is not None  # checked by _missing
        return {
            **identity(person),
            "membership_type": current.category,
            "workplace_name": current.workplace_name,
            "acquisition_date": current.acquired,
            # the whole contribution record counts towards the pension, not just this job
            "months_contributed": sum(entry.months for entry in person.pension),
            "standard_monthly_income": current.monthly_income,
        }
