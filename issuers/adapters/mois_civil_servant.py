"""The civil-servant personnel registry (MOIS/인사혁신처): the mobile civil-servant ID."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from issuers.adapters.population_adapter import PopulationAdapter, TypeMapping
from issuers.synthetic_registry import Person


class MoisCivilServantAdapter(PopulationAdapter):
    adapter_id = "mois_civil_servant"
    agency_id = "mois"
    agency_name = "행정안전부"

    def type_mappings(self) -> Mapping[str, TypeMapping]:
        return {"mobile_civil_servant_id": TypeMapping(self._missing, self._card)}

    @staticmethod
    def _missing(person: Person) -> str | None:
        return None if person.civil_service is not None else "not a serving civil servant"

    @staticmethod
    def _card(person: Person) -> dict[str, Any]:
        post = person.civil_service
        assert post is not None  # checked by _missing
        # the ID card carries no RRN, only the birth date
        return {
            "name": person.name,
            "birth_date": person.birth_date,
            "organisation": post.organisation,
            "department": post.department,
            "position": post.title,
            "grade": post.grade,
            "employee_number": post.employee_number,
            "issue_date": post.card_issued,
            "expiry_date": post.card_expires,
            "portrait_sha256": person.portrait_sha256,
        }
