"""``Person``: everything every synthetic registry holds about one resident."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from issuers.synthetic_registry.records import (
    Address,
    AddressEntry,
    BorderCrossing,
    Building,
    CivilServantPost,
    DriverLicence,
    Employment,
    InsuranceEntry,
    LandParcel,
    MilitaryService,
    Passport,
    PensionEntry,
    PremiumPayment,
    TaxAssessment,
    TrafficAccident,
    TrafficViolation,
)


@dataclass(frozen=True)
class Person:
    person_id: str
    name: str
    #: romanised "SURNAME GIVENNAME"
    name_en: str
    rrn: str
    birth_date: date
    is_male: bool
    #: ISO 3166-1 alpha-2; every synthetic resident is a citizen
    nationality: str
    # --- MOIS
    household_id: str
    #: relationship to the head of household (본인/배우자/자녀/부/모)
    relationship: str
    #: oldest first; the last entry is the current address
    address_history: tuple[AddressEntry, ...]
    #: the 읍/면/동 office that keeps the registration (발급기관 on MOIS certificates)
    registration_office: str
    # --- tax
    tax_office: str
    national_taxes: tuple[TaxAssessment, ...]
    local_taxes: tuple[TaxAssessment, ...]
    # --- employment, NHIS, NPS
    employments: tuple[Employment, ...]
    insurance: tuple[InsuranceEntry, ...]
    premiums: tuple[PremiumPayment, ...]
    pension: tuple[PensionEntry, ...]
    # --- MOLIT
    buildings: tuple[Building, ...]
    land: tuple[LandParcel, ...]
    # --- KNPA
    licence: DriverLicence | None
    violations: tuple[TrafficViolation, ...]
    accidents: tuple[TrafficAccident, ...]
    # --- MMA
    military: MilitaryService | None
    # --- MOJ
    passport: Passport | None
    crossings: tuple[BorderCrossing, ...]
    # --- civil service
    civil_service: CivilServantPost | None
    #: sha256 hex of the (synthetic) ID photo, as mobile IDs carry it
    portrait_sha256: str

    @property
    def address(self) -> Address:
        return self.address_history[-1].address

    @property
    def moved_in(self) -> date:
        return self.address_history[-1].moved_in

    @property
    def current_employment(self) -> Employment | None:
        return next((job for job in reversed(self.employments) if job.end is None), None)
