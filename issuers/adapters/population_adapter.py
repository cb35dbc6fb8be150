"""The common machinery of the adapters backed by ``SyntheticPopulation``.

Each adapter declares a registry ``type_id → TypeMapping``; this base looks the person up by
RRN, asks the mapping whether the agency holds a record, builds the record and cuts it to
the type. Adding a type an agency serves is adding one entry to that adapter's registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from issuers.adapters.base import Subject
from issuers.adapters.claim_projection import project
from issuers.synthetic_registry import Person, SyntheticPopulation
from schemas.errors import NoRecord, UnknownCertificateType

if TYPE_CHECKING:
    from schemas.registry import CertificateType

#: why the agency has no record for this person, or None when it has one
RecordCheck = Callable[[Person], str | None]
#: the full record for this person, shaped like the type's claims (may hold extra keys)
RecordBuilder = Callable[[Person], dict[str, Any]]


@dataclass(frozen=True)
class TypeMapping:
    missing: RecordCheck
    build: RecordBuilder


def always_held(_: Person) -> str | None:
    return None


class PopulationAdapter:
    adapter_id: str = ""
    agency_id: str = ""
    #: the agency's name as it appears in refusal details
    agency_name: str = ""

    def __init__(self, population: SyntheticPopulation) -> None:
        self.population = population
        self._mappings = self.type_mappings()

    def type_mappings(self) -> Mapping[str, TypeMapping]:
        """The registry of types this adapter serves; built once per adapter."""
        raise NotImplementedError

    def served_type_ids(self) -> list[str]:
        return sorted(self._mappings)

    def fetch_claims(self, type_def: CertificateType, subject: Subject) -> dict[str, Any]:
        mapping = self._mapping(type_def)
        person = self._person(type_def, subject)
        reason = mapping.missing(person)
        if reason is not None:
            raise self._no_record(type_def, reason)
        return project(type_def.claims, mapping.build(person))

    def has_record(self, type_def: CertificateType, subject: Subject) -> bool:
        mapping = self._mapping(type_def)
        person = self.population.by_rrn(subject.rrn)
        return person is not None and mapping.missing(person) is None

    def record(self, type_id: str, person: Person) -> dict[str, Any]:
        """The unprojected record (for tests that check an adapter's key names)."""
        return self._mappings[type_id].build(person)

    # --- helpers ------------------------------------------------------------------------
    def _mapping(self, type_def: CertificateType) -> TypeMapping:
        try:
            return self._mappings[type_def.id]
        except KeyError:
            raise UnknownCertificateType(
                f"adapter {self.adapter_id!r} does not serve type {type_def.id!r}", type_id=type_def.id
            ) from None

    def _person(self, type_def: CertificateType, subject: Subject) -> Person:
        person = self.population.by_rrn(subject.rrn)
        if person is None:
            raise self._no_record(type_def, "no resident with this registration number")
        return person

    def _no_record(self, type_def: CertificateType, reason: str) -> NoRecord:
        return NoRecord(
            f"{self.agency_name} ({self.agency_id}) has no record for {type_def.id}: {reason}",
            agency_id=self.agency_id,
            type_id=type_def.id,
        )
