"""Ministry of Justice immigration system: 출입국에 관한 사실증명."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from issuers.adapters.person_claims import identity
from issuers.adapters.population_adapter import PopulationAdapter, TypeMapping
from issuers.synthetic_registry import Person
from issuers.synthetic_registry.dates import add_years

#: the period certified when the requester does not choose one
DEFAULT_PERIOD_YEARS = 5


class MojImmigrationAdapter(PopulationAdapter):
    adapter_id = "moj_immigration"
    agency_id = "moj"
    agency_name = "법무부"

    def type_mappings(self) -> Mapping[str, TypeMapping]:
        return {"entry_exit_record": TypeMapping(self._missing, self._record)}

    @staticmethod
    def _missing(person: Person) -> str | None:
        return None if person.passport is not None else "no passport and no border crossings on record"

    def _record(self, person: Person) -> dict[str, Any]:
        assert person.passport is not None  # checked by _missing
        end = self.population.as_of
        start = add_years(end, -DEFAULT_PERIOD_YEARS)
        return {
            **identity(person),
            "nationality": person.nationality,
            "passport_number": person.passport.number,
            "period_start": start,
            "period_end": end,
            "movements": [
                {"direction": c.direction, "date": c.date, "port": c.port}
                for c in person.crossings
                if start <= c.date <= end
            ],
        }
