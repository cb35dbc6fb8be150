"""Local governments' tax systems (위택스): 지방세 납세증명서."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from issuers.adapters.person_claims import identity
from issuers.adapters.population_adapter import PopulationAdapter, TypeMapping
from issuers.adapters.tax_certificate import DEFAULT_PURPOSE, refusal
from issuers.synthetic_registry import Person


class LocalTaxAdapter(PopulationAdapter):
    adapter_id = "local_tax"
    agency_id = "local_government"
    agency_name = "지방자치단체"

    def type_mappings(self) -> Mapping[str, TypeMapping]:
        return {"local_tax_payment": TypeMapping(self._missing, self._payment)}

    @staticmethod
    def _missing(person: Person) -> str | None:
        return refusal(person.local_taxes, "local")

    @staticmethod
    def _payment(person: Person) -> dict[str, Any]:
        return {
            **identity(person),
            "address": person.address.road_address,
            "purpose": DEFAULT_PURPOSE,
            "no_arrears": True,
            # the municipality of residence certifies, having checked every other one
            "issuing_municipality": f"{person.address.sido} {person.address.sigungu}",
        }
