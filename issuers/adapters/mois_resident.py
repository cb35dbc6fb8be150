"""MOIS resident registry: 주민등록표 등본 (household) and 초본 (one person's history)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from issuers.adapters.person_claims import identity
from issuers.adapters.population_adapter import PopulationAdapter, TypeMapping, always_held
from issuers.synthetic_registry import Person


class MoisResidentAdapter(PopulationAdapter):
    adapter_id = "mois_resident"
    agency_id = "mois"
    agency_name = "행정안전부"

    def type_mappings(self) -> Mapping[str, TypeMapping]:
        # every resident is registered, so neither certificate can be missing
        return {
            "resident_registration_copy": TypeMapping(always_held, self._copy),
            "resident_registration_abstract": TypeMapping(always_held, self._abstract),
        }

    def _head(self, person: Person) -> Person:
        return self.population.by_id(self.population.household(person.household_id).head_id)

    def _copy(self, person: Person) -> dict[str, Any]:
        household = self.population.household(person.household_id)
        return {
            "head_of_household_name": self._head(person).name,
            "address": person.address.road_address,
            "household_composition_reason": household.formed_reason,
            "household_composition_date": household.formed,
            "members": [
                {
                    "relationship": member.relationship,
                    "name": member.name,
                    "resident_registration_number": member.rrn,
                    "move_in_date": member.moved_in,
                    "change_reason": member.address_history[-1].reason,
                }
                for member in self.population.household_members(person)
            ],
            "issuing_office": person.registration_office,
        }

    def _abstract(self, person: Person) -> dict[str, Any]:
        return {
            **identity(person),
            "current_address": person.address.road_address,
            "head_of_household_name": self._head(person).name,
            "head_of_household_relationship": person.relationship,
            "address_history": [
                {
                    "address": entry.address.road_address,
                    "move_in_date": entry.moved_in,
                    "change_reason": entry.reason,
                }
                for entry in person.address_history
            ],
            "issuing_office": person.registration_office,
        }
