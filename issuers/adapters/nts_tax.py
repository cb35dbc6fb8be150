"""National Tax Service (홈택스): 국세 납세증명서."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from issuers.adapters.person_claims import identity
from issuers.adapters.population_adapter import PopulationAdapter, TypeMapping
from issuers.adapters.tax_certificate import DEFAULT_PURPOSE, refusal
from issuers.synthetic_registry import Person


class NtsTaxAdapter(PopulationAdapter):
    adapter_id = "nts_tax"
    agency_id = "nts"
    agency_name = "국세청"

    def type_mappings(self) -> Mapping[str, TypeMapping]:
        return {"national_tax_payment": TypeMapping(self._missing, self._payment)}

    @staticmethod
    def _missing(person: Person) -> str | None:
        return refusal(person.national_taxes, "national")

    @staticmethod
    def _payment(person: Person) -> dict[str, Any]:
        business = next((job for job in person.employments if job.self_employed and job.end is None), None)
        return {
            **identity(person),
            "address": person.address.road_address,
            "business_name": business.employer.name if business else None,
            "business_registration_number": business.employer.business_number if business else None,
            "purpose": DEFAULT_PURPOSE,
            "no_arrears": True,
            # nothing is deferred or paid in instalments in the synthetic registry
            "deferred_tax_amount": 0,
            "issuing_office": person.tax_office,
        }
