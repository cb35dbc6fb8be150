"""Military Manpower Administration: 병적증명서."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from issuers.adapters.person_claims import identity
from issuers.adapters.population_adapter import PopulationAdapter, TypeMapping
from issuers.synthetic_registry import Person


class MmaMilitaryAdapter(PopulationAdapter):
    adapter_id = "mma_military"
    agency_id = "mma"
    agency_name = "병무청"

    def type_mappings(self) -> Mapping[str, TypeMapping]:
        return {"military_service_record": TypeMapping(self._missing, self._record)}

    @staticmethod
    def _missing(person: Person) -> str | None:
        return None if person.military is not None else "no military service record"

    @staticmethod
    def _record(person: Person) -> dict[str, Any]:
        service = person.military
        assert service is not None  # checked by _missing
        return {
            **identity(person),
            "service_category": service.disposition,
            "service_branch": service.branch,
            "service_number": service.service_number,
            "rank": service.rank,
            "enlistment_date": service.enlisted,
            "discharge_date": service.discharged,
            "discharge_type": service.discharge_type,
            "exemption_reason": service.exemption_reason,
        }
