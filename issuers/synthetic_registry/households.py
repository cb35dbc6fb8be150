"""Residents and households: who lives with whom, where, and since when (the MOIS registry).

Everything the other registries know about a person hangs off the identity and address built
here, so they stay consistent: one name, one RRN, one current address per person.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from issuers.synthetic_registry import names, rrn
from issuers.synthetic_registry.addresses import AddressBook
from issuers.synthetic_registry.dates import add_years, random_date
from issuers.synthetic_registry.geography import District, pick_district
from issuers.synthetic_registry.records import Address, AddressEntry

HEAD, SPOUSE, CHILD, FATHER, MOTHER = "본인", "배우자", "자녀", "부", "모"


@dataclass(frozen=True)
class Resident:
    person_id: str
    name: str
    #: romanised "SURNAME GIVENNAME", as on a passport
    name_en: str
    rrn: str
    birth_date: date
    is_male: bool
    household_id: str
    #: relationship to the head of household (본인/배우자/자녀/부/모)
    relationship: str
    #: when the person joined this household (birth, marriage, moving in with a child)
    joined: date
    district: District
    #: oldest first; the last entry is the current address
    address_history: tuple[AddressEntry, ...]

    @property
    def address(self) -> Address:
        return self.address_history[-1].address

    @property
    def moved_in(self) -> date:
        return self.address_history[-1].moved_in


@dataclass(frozen=True)
class Household:
    household_id: str
    head_id: str
    member_ids: tuple[str, ...]
    address: Address
    #: when the household was formed at its first address (세대구성 일자)
    formed: date
    #: 세대구성 사유
    formed_reason: str


@dataclass(frozen=True)
class _Draft:
    """A member before ids and RRNs are assigned: sex, birth, relationship, when they joined."""

    is_male: bool
    birth_date: date
    relationship: str
    joined: date
    surname: tuple[str, str]


class HouseholdBuilder:
    """Builds households one at a time until the population reaches its size."""

    def __init__(self, rng: random.Random, as_of: date, addresses: AddressBook) -> None:
        self._rng = rng
        self._as_of = as_of
        self._addresses = addresses
        self._rrns: set[str] = set()

    def build(self, size: int) -> tuple[list[Resident], list[Household]]:
        residents: list[Resident] = []
        households: list[Household] = []
        while len(residents) < size:
            drafts = self._compose()[: size - len(residents)]
            household_id = f"H{len(households) + 1:04d}"
            district = pick_district(self._rng)
            timeline = self._timeline(district, drafts[0].joined)
            members: list[Resident] = []
            for draft in drafts:
                person_id = f"P{len(residents) + len(members) + 1:04d}"
                members.append(self._resident(person_id, household_id, district, draft, timeline))
            residents.extend(members)
            formed_reason = "출생" if drafts[0].joined == drafts[0].birth_date else "전입세대구성"
            households.append(
                Household(
                    household_id=household_id,
                    head_id=members[0].person_id,
                    member_ids=tuple(m.person_id for m in members),
                    address=members[0].address,
                    formed=drafts[0].joined,
                    formed_reason=formed_reason,
                )
            )
        return residents, households

    # --- composition --------------------------------------------------------------------
    def _birth(self, min_age: int, max_age: int) -> date:
        latest = add_years(self._as_of, -min_age)
        earliest = add_years(self._as_of, -max_age - 1) + timedelta(days=1)
        return random_date(self._rng, earliest, latest)

    def _compose(self) -> list[_Draft]:
        """Head first, then spouse, children, parents; kinds weighted like Korean census shares."""
        rng = self._rng
        kind = rng.choices(
            ("single", "couple", "nuclear", "single_parent", "three_generation"),
            weights=(30, 20, 38, 6, 6),
        )[0]
        head_age = {
            "single": (20, 88),
            "couple": (26, 88),
            "nuclear": (28, 62),
            "single_parent": (28, 58),
            "three_generation": (35, 62),
        }[kind]
        head_male = rng.random() < (0.55 if kind == "single" else 0.8)
        head_birth = self._birth(*head_age)
        head_surname = names.pick_surname(rng)
        # a head sets up their own household somewhere between 19 and 32, never in the future
        formed = random_date(rng, add_years(head_birth, 19), min(add_years(head_birth, 32), self._as_of))
        drafts = [_Draft(head_male, head_birth, HEAD, formed, head_surname)]

        father_surname = head_surname
        mother_birth = head_birth
        if kind in ("couple", "nuclear", "three_generation"):
            spouse_birth = add_years(head_birth, rng.randint(-2, 5) if head_male else rng.randint(-5, 2))
            spouse_birth = min(spouse_birth, add_years(self._as_of, -20))
            spouse_surname = names.pick_surname(rng)
            drafts.append(_Draft(not head_male, spouse_birth, SPOUSE, formed, spouse_surname))
            if not head_male:
                father_surname = spouse_surname
            mother_birth = spouse_birth if head_male else head_birth
        if kind in ("nuclear", "single_parent", "three_generation"):
            earliest = max(add_years(mother_birth, 23), add_years(self._as_of, -30))
            latest = min(add_years(mother_birth, 42), self._as_of - timedelta(days=30))
            for _ in range(rng.choices((1, 2, 3), weights=(40, 48, 12))[0]):
                if earliest >= latest:
                    break
                child_birth = random_date(rng, earliest, latest)
                drafts.append(
                    _Draft(rng.random() < 0.51, child_birth, CHILD, max(formed, child_birth), father_surname)
                )
        if kind == "three_generation":
            moved_in = random_date(rng, formed, self._as_of)
            parent_birth = add_years(head_birth, -rng.randint(24, 34))
            if parent_birth >= add_years(self._as_of, -95):
                if rng.random() < 0.6:
                    drafts.append(_Draft(True, parent_birth, FATHER, moved_in, head_surname))
                drafts.append(
                    _Draft(
                        False,
                        add_years(parent_birth, rng.randint(0, 4)),
                        MOTHER,
                        moved_in,
                        names.pick_surname(rng),
                    )
                )
        return drafts

    # --- addresses ----------------------------------------------------------------------
    def _timeline(self, district: District, formed: date) -> list[tuple[Address, date]]:
        """The household's addresses since it formed: earlier ones elsewhere, the last in ``district``."""
        rng = self._rng
        # distinct days after forming: two moves on one day would leave an empty entry
        moves = sorted(
            {
                random_date(rng, formed, self._as_of)
                for _ in range(rng.choices((0, 1, 2), weights=(40, 40, 20))[0])
            }
            - {formed}
        )
        starts = [formed, *moves]
        timeline = [(self._addresses.draw(rng, pick_district(rng)), start) for start in starts[:-1]]
        timeline.append((self._addresses.draw(rng, district), starts[-1]))
        return timeline

    def _history(self, draft: _Draft, timeline: list[tuple[Address, date]]) -> tuple[AddressEntry, ...]:
        rng = self._rng
        entries: list[tuple[Address, date, str]] = []
        if draft.joined > draft.birth_date:
            # before joining this household the person lived with their own parents,
            # and adults often moved out on their own for a while
            entries.append((self._addresses.draw(rng, pick_district(rng)), draft.birth_date, "출생"))
            independence = add_years(draft.birth_date, rng.randint(19, 26))
            if independence < draft.joined and rng.random() < 0.5:
                entries.append((self._addresses.draw(rng, pick_district(rng)), independence, "전입"))
        for index, (address, start) in enumerate(timeline):
            end = timeline[index + 1][1] if index + 1 < len(timeline) else None
            if end is not None and end <= draft.joined:
                continue
            moved_in = max(start, draft.joined)
            entries.append((address, moved_in, "출생" if moved_in == draft.birth_date else "전입"))
        result: list[AddressEntry] = []
        for index, (address, moved_in, reason) in enumerate(entries):
            moved_out = entries[index + 1][1] if index + 1 < len(entries) else None
            result.append(AddressEntry(address, moved_in, moved_out, reason))
        return tuple(result)

    # --- identity -----------------------------------------------------------------------
    def _rrn(self, birth_date: date, is_male: bool) -> str:
        while True:
            number = rrn.compose(birth_date, is_male, f"{self._rng.randint(0, 99999):05d}")
            if number not in self._rrns:
                self._rrns.add(number)
                return number

    def _resident(
        self,
        person_id: str,
        household_id: str,
        district: District,
        draft: _Draft,
        timeline: list[tuple[Address, date]],
    ) -> Resident:
        given, given_en = names.pick_given_name(self._rng, draft.is_male)
        surname, surname_en = draft.surname
        return Resident(
            person_id=person_id,
            name=surname + given,
            name_en=f"{surname_en} {given_en}",
            rrn=self._rrn(draft.birth_date, draft.is_male),
            birth_date=draft.birth_date,
            is_male=draft.is_male,
            household_id=household_id,
            relationship=draft.relationship,
            joined=draft.joined,
            district=district,
            address_history=self._history(draft, timeline),
        )
