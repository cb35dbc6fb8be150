"""``SyntheticPopulation``: the deterministic stand-in for the agencies' registries.

Same seed, same size → byte-identical people. Every generator draws from its own
``random.Random`` seeded from (seed, registry name), never from the global generator or the
clock, so adding a registry later does not reshuffle the ones already there. The population
is built on first use and cached; 1,000 people take 0.2-0.5 s, so a service builds its
population once at start-up (``built_population``) rather than in its first request.
"""

from __future__ import annotations

import functools
import hashlib
import random
from collections.abc import Mapping
from datetime import date

from issuers.synthetic_registry.addresses import AddressBook
from issuers.synthetic_registry.driving import DrivingBuilder
from issuers.synthetic_registry.employment import EmployerPool, EmploymentBuilder
from issuers.synthetic_registry.geography import tax_office_of
from issuers.synthetic_registry.households import Household, HouseholdBuilder, Resident
from issuers.synthetic_registry.insurance import InsuranceBuilder
from issuers.synthetic_registry.military import MilitaryBuilder
from issuers.synthetic_registry.pension import membership
from issuers.synthetic_registry.person import Person
from issuers.synthetic_registry.property import PropertyBuilder
from issuers.synthetic_registry.records import CivilServantPost, Employment
from issuers.synthetic_registry.taxes import TaxBuilder
from issuers.synthetic_registry.travel import TravelBuilder
from schemas.errors import NotFound

DEFAULT_SEED = 20200101
#: the day the registries are a snapshot of; records never run past it
DEFAULT_AS_OF = date(2026, 1, 1)


class SyntheticPopulation:
    def __init__(self, seed: int = DEFAULT_SEED, size: int = 1000, *, as_of: date = DEFAULT_AS_OF) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self.seed = seed
        self.size = size
        self.as_of = as_of
        self._people: list[Person] | None = None
        self._households: dict[str, Household] = {}
        self._by_id: dict[str, Person] = {}
        self._by_rrn: dict[str, Person] = {}

    # --- public API ---------------------------------------------------------------------
    def people(self) -> list[Person]:
        return list(self._built())

    def by_id(self, person_id: str) -> Person:
        self._built()
        try:
            return self._by_id[person_id]
        except KeyError:
            raise NotFound(f"no person {person_id!r} in the synthetic population") from None

    def by_rrn(self, rrn: str) -> Person | None:
        self._built()
        return self._by_rrn.get(rrn)

    def household(self, household_id: str) -> Household:
        self._built()
        try:
            return self._households[household_id]
        except KeyError:
            raise NotFound(f"no household {household_id!r} in the synthetic population") from None

    def households(self) -> list[Household]:
        self._built()
        return list(self._households.values())

    def household_members(self, person: Person) -> list[Person]:
        """The person's household, head first, as the 등본 lists it."""
        return [self._by_id[pid] for pid in self.household(person.household_id).member_ids]

    def build(self) -> SyntheticPopulation:
        """Build now (otherwise the first lookup does); returns the population itself."""
        self._built()
        return self

    # --- building -----------------------------------------------------------------------
    def _rng(self, registry: str) -> random.Random:
        # a string seed is hashed with SHA-512 by ``random``: stable across runs and platforms
        return random.Random(f"{self.seed}/{registry}")

    def _built(self) -> list[Person]:
        if self._people is None:
            self._people = self._build()
            self._by_id = {p.person_id: p for p in self._people}
            self._by_rrn = {p.rrn: p for p in self._people}
        return self._people

    def _build(self) -> list[Person]:
        as_of = self.as_of
        addresses = AddressBook()
        residents, households = HouseholdBuilder(self._rng("mois"), as_of, addresses).build(self.size)
        self._households = {h.household_id: h for h in households}
        by_household: dict[str, list[Resident]] = {}
        for resident in residents:
            by_household.setdefault(resident.household_id, []).append(resident)

        employment = EmploymentBuilder(
            self._rng("employment"), as_of, EmployerPool(self._rng("employers")), residents
        )
        careers = {r.person_id: employment.careers(r) for r in residents}
        property_builder = PropertyBuilder(self._rng("molit"), as_of, addresses)
        holdings = {
            pid: h
            for members in by_household.values()
            for pid, h in property_builder.holdings(members).items()
        }
        driving = DrivingBuilder(self._rng("knpa"), as_of)
        military = MilitaryBuilder(self._rng("mma"), as_of)
        travel = TravelBuilder(self._rng("moj"), as_of)
        taxes = TaxBuilder(self._rng("tax"), as_of)
        insurance = InsuranceBuilder(self._rng("nhis"), as_of)

        people: list[Person] = []
        for resident in residents:
            jobs, post = careers[resident.person_id]
            buildings, land = holdings[resident.person_id]
            licence = driving.licence(resident)
            violations, accidents = driving.record(licence)
            passport = travel.passport(resident)
            supporter = self._supporter_jobs(resident, by_household[resident.household_id], careers)
            address = resident.address
            eligibility = insurance.eligibility(resident.birth_date, resident.joined, jobs, supporter)
            people.append(
                Person(
                    person_id=resident.person_id,
                    name=resident.name,
                    name_en=resident.name_en,
                    rrn=resident.rrn,
                    birth_date=resident.birth_date,
                    is_male=resident.is_male,
                    nationality="KR",
                    household_id=resident.household_id,
                    relationship=resident.relationship,
                    address_history=resident.address_history,
                    # the 동 community centre head certifies, as printed on a paper 등본
                    registration_office=f"{address.sido} {address.sigungu} {address.dong}장",
                    tax_office=tax_office_of(resident.district),
                    national_taxes=taxes.national(jobs),
                    local_taxes=taxes.local(resident, buildings, land, licence),
                    employments=jobs,
                    insurance=eligibility,
                    premiums=insurance.premiums(eligibility, jobs),
                    pension=membership(resident.birth_date, jobs, as_of),
                    buildings=buildings,
                    land=land,
                    licence=licence,
                    violations=violations,
                    accidents=accidents,
                    military=military.service(resident),
                    passport=passport,
                    crossings=travel.crossings(passport),
                    civil_service=post,
                    portrait_sha256=hashlib.sha256(
                        f"ecert-portrait/{self.seed}/{resident.rrn}".encode()
                    ).hexdigest(),
                )
            )
        return people

    @staticmethod
    def _supporter_jobs(
        resident: Resident,
        members: list[Resident],
        careers: Mapping[str, tuple[tuple[Employment, ...], CivilServantPost | None]],
    ) -> tuple[Employment, ...]:
        """Jobs of the household member who would carry this person as a dependant: the head,
        else the first other member with an employee job."""
        for member in members:
            if member.person_id == resident.person_id:
                continue
            jobs = careers[member.person_id][0]
            if any(not j.self_employed for j in jobs):
                return jobs
        return ()


@functools.lru_cache(maxsize=4)
def built_population(seed: int = DEFAULT_SEED, size: int = 1000) -> SyntheticPopulation:
    """The population for (seed, size), built, and shared by everything in this process that
    asks for the same one: it is deterministic and never changes once built, so one copy
    serves every app (the test suite builds an app per test)."""
    return SyntheticPopulation(seed=seed, size=size).build()
