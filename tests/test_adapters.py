"""Agency adapters: every certificate type with an adapter gets claims that fit its type
file, for every synthetic person who has a record, and a clear ``NoRecord`` otherwise."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from issuers.adapters import ADAPTER_CLASSES, PopulationAdapter, SourceAdapter, Subject, build_adapters
from issuers.synthetic_registry import Person, SyntheticPopulation
from issuers.synthetic_registry.taxes import arrears
from schemas.claim_check import check_claims
from schemas.derived import add_derived_claims
from schemas.errors import NoRecord, UnknownCertificateType
from schemas.registry import CertificateType, ClaimDefinition, TypeRegistry, load_registry

#: the traveller fills the customs declaration in: no agency holds it
NOT_FROM_AN_AGENCY = {"customs_declaration"}
MIN_HOLDERS = 50


@pytest.fixture(scope="module")
def population() -> SyntheticPopulation:
    return SyntheticPopulation()


@pytest.fixture(scope="module")
def registry() -> TypeRegistry:
    return load_registry()


@pytest.fixture(scope="module")
def adapters(population: SyntheticPopulation) -> dict[str, SourceAdapter]:
    return build_adapters(population)


@pytest.fixture(scope="module")
def served_types(registry: TypeRegistry) -> list[CertificateType]:
    return [t for t in registry.all() if t.id not in NOT_FROM_AN_AGENCY]


@pytest.fixture(scope="module")
def outcomes(
    population: SyntheticPopulation, adapters: dict[str, SourceAdapter], served_types: list[CertificateType]
) -> dict[str, dict[str, dict[str, Any] | NoRecord]]:
    """type id → person id → claims, or the NoRecord raised; fetched once for every test."""
    result: dict[str, dict[str, dict[str, Any] | NoRecord]] = {}
    for type_def in served_types:
        adapter = adapters[type_def.adapter]
        per_person: dict[str, dict[str, Any] | NoRecord] = {}
        for person in population.people():
            try:
                per_person[person.person_id] = adapter.fetch_claims(type_def, Subject(person.rrn))
            except NoRecord as refusal:
                per_person[person.person_id] = refusal
        result[type_def.id] = per_person
    return result


# --- a checker independent of schemas.claim_check ------------------------------------------
_JSON_CHECKS = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "date": lambda v: (
        isinstance(v, str) and len(v) == 10 and v[4] == v[7] == "-" and v.replace("-", "").isdigit()
    ),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}


def shape_problems(definitions: list[ClaimDefinition], values: dict[str, Any], path: str = "") -> list[str]:
    """Required present (derived ones excepted: the pipeline adds them), JSON types right,
    no unknown keys, no derived claims from an adapter."""
    problems: list[str] = []
    by_name = {d.name: d for d in definitions}
    for key in values:
        if key not in by_name:
            problems.append(f"{path}{key}: not defined by the type")
        elif by_name[key].derive is not None:
            problems.append(f"{path}{key}: derived claims are the pipeline's job")
    for definition in definitions:
        name = f"{path}{definition.name}"
        if definition.name not in values:
            if definition.required and definition.derive is None:
                problems.append(f"{name}: required claim missing")
            continue
        problems += _value_problems(definition, values[definition.name], name)
    return problems


def _value_problems(definition: ClaimDefinition, value: Any, name: str) -> list[str]:
    if not _JSON_CHECKS[definition.type](value):
        return [f"{name}: expected {definition.type}, got {value!r}"]
    if definition.type == "object":
        return shape_problems(definition.properties or [], value, f"{name}.")
    if definition.type == "array":
        assert definition.items is not None
        return [
            p
            for i, element in enumerate(value)
            for p in _value_problems(definition.items, element, f"{name}[{i}]")
        ]
    return []


# --- the registry ----------------------------------------------------------------------------
def test_every_agency_type_has_an_adapter(
    adapters: dict[str, SourceAdapter], served_types: list[CertificateType]
) -> None:
    assert len(served_types) == 15
    for type_def in served_types:
        adapter = adapters[type_def.adapter]
        assert isinstance(adapter, SourceAdapter)
        assert adapter.adapter_id == type_def.adapter
        assert adapter.agency_id == type_def.agency.id
        assert isinstance(adapter, PopulationAdapter) and type_def.id in adapter.served_type_ids()


def test_adapters_serve_only_types_that_name_them(
    adapters: dict[str, SourceAdapter], registry: TypeRegistry
) -> None:
    assert len(adapters) == len(ADAPTER_CLASSES) == 10
    for adapter_id, adapter in adapters.items():
        assert isinstance(adapter, PopulationAdapter)
        for type_id in adapter.served_type_ids():
            assert registry.get(type_id).adapter == adapter_id


def test_an_adapter_refuses_a_type_it_does_not_serve(
    adapters: dict[str, SourceAdapter], registry: TypeRegistry, population: SyntheticPopulation
) -> None:
    with pytest.raises(UnknownCertificateType):
        adapters["knpa"].fetch_claims(registry.get("land_register"), Subject(population.people()[0].rrn))


# --- claims fit the type files -----------------------------------------------------------------
def test_claims_fit_the_type(
    outcomes: dict[str, dict[str, Any]], served_types: list[CertificateType], population: SyntheticPopulation
) -> None:
    for type_def in served_types:
        for person_id, claims in outcomes[type_def.id].items():
            if isinstance(claims, NoRecord):
                continue
            assert shape_problems(type_def.claims, claims) == [], (type_def.id, person_id)
            # and the pipeline's own check, once the derived claims are added, agrees
            derived = add_derived_claims(type_def, claims, population.as_of)
            assert check_claims(type_def, derived) == [], (type_def.id, person_id)


def test_raw_records_use_only_claim_names_of_the_types_served(
    adapters: dict[str, SourceAdapter], registry: TypeRegistry, population: SyntheticPopulation
) -> None:
    """The projection drops keys a type does not define; a misspelt key would vanish silently,
    so every key an adapter builds must be defined by some type it serves."""

    def names(definitions: list[ClaimDefinition]) -> set[str]:
        found: set[str] = set()
        for d in definitions:
            found.add(d.name)
            found |= names(d.properties or [])
            if d.items is not None:
                found |= names([d.items])
        return found

    def keys(value: Any) -> set[str]:
        if isinstance(value, dict):
            return set(value) | {k for v in value.values() for k in keys(v)}
        if isinstance(value, list):
            return {k for v in value for k in keys(v)}
        return set()

    for adapter in adapters.values():
        assert isinstance(adapter, PopulationAdapter)
        defined = {n for type_id in adapter.served_type_ids() for n in names(registry.get(type_id).claims)}
        for type_id in adapter.served_type_ids():
            type_def = registry.get(type_id)
            holder = next(p for p in population.people() if adapter.has_record(type_def, Subject(p.rrn)))
            assert keys(adapter.record(type_id, holder)) <= defined, type_id


def test_has_record_agrees_with_fetch_claims(
    outcomes: dict[str, dict[str, Any]],
    adapters: dict[str, SourceAdapter],
    served_types: list[CertificateType],
    population: SyntheticPopulation,
) -> None:
    for type_def in served_types:
        adapter = adapters[type_def.adapter]
        for person in population.people():
            fetched = not isinstance(outcomes[type_def.id][person.person_id], NoRecord)
            assert adapter.has_record(type_def, Subject(person.rrn)) == fetched, (
                type_def.id,
                person.person_id,
            )


def test_every_type_has_enough_holders(outcomes: dict[str, dict[str, Any]]) -> None:
    counts = {
        type_id: sum(not isinstance(c, NoRecord) for c in per_person.values())
        for type_id, per_person in outcomes.items()
    }
    assert all(count >= MIN_HOLDERS for count in counts.values()), counts


# --- refusals ----------------------------------------------------------------------------------
def _refusal(outcomes: dict[str, dict[str, Any]], type_id: str, person: Person) -> NoRecord:
    refusal = outcomes[type_id][person.person_id]
    assert isinstance(refusal, NoRecord), (type_id, person.person_id)
    return refusal


def test_no_licence_no_building_no_land_means_no_record(
    outcomes: dict[str, dict[str, Any]], population: SyntheticPopulation
) -> None:
    people = population.people()
    for person in people:
        if person.licence is None:
            for type_id in ("driving_record", "mobile_driver_licence"):
                refusal = _refusal(outcomes, type_id, person)
                assert refusal.code == "no_record" and refusal.status == 404
                assert "knpa" in refusal.detail and type_id in refusal.detail
        if not person.buildings:
            assert "building" in _refusal(outcomes, "building_register_copy", person).detail
            _refusal(outcomes, "building_register_extract", person)
        if not person.land:
            _refusal(outcomes, "land_register", person)
        if person.military is None:
            _refusal(outcomes, "military_service_record", person)
        if person.civil_service is None:
            _refusal(outcomes, "mobile_civil_servant_id", person)


def test_arrears_refuse_the_tax_payment_certificate(
    outcomes: dict[str, dict[str, Any]], population: SyntheticPopulation
) -> None:
    local = [p for p in population.people() if arrears(p.local_taxes)]
    national = [p for p in population.people() if arrears(p.national_taxes)]
    assert local and national
    for person in local:
        refusal = _refusal(outcomes, "local_tax_payment", person)
        assert "arrears" in refusal.detail and refusal.extra["type_id"] == "local_tax_payment"
    for person in national:
        assert "arrears" in _refusal(outcomes, "national_tax_payment", person).detail


def test_unknown_person_is_no_record(
    adapters: dict[str, SourceAdapter], served_types: list[CertificateType]
) -> None:
    stranger = Subject("000101-3000000")
    for type_def in served_types:
        adapter = adapters[type_def.adapter]
        assert not adapter.has_record(type_def, stranger)
        with pytest.raises(NoRecord) as caught:
            adapter.fetch_claims(type_def, stranger)
        assert adapter.agency_id in caught.value.detail and type_def.id in caught.value.detail


# --- the same person across agencies -----------------------------------------------------------
def test_identity_claims_agree_across_agencies(
    outcomes: dict[str, dict[str, Any]], population: SyntheticPopulation
) -> None:
    for person in population.people():
        seen: Counter[tuple[str, str, str]] = Counter()
        for per_person in outcomes.values():
            claims = per_person[person.person_id]
            if isinstance(claims, NoRecord) or "name" not in claims:
                continue
            seen[
                (claims["name"], claims.get("resident_registration_number", person.rrn), claims["birth_date"])
            ] += 1
        assert list(seen) == [(person.name, person.rrn, person.birth_date.isoformat())]


def test_employer_agrees_between_nhis_and_nps(outcomes: dict[str, dict[str, Any]]) -> None:
    checked = 0
    for person_id, pension in outcomes["national_pension_membership"].items():
        if isinstance(pension, NoRecord) or "workplace_name" not in pension:
            continue
        history = outcomes["health_insurance_eligibility"][person_id]
        assert not isinstance(history, NoRecord)
        assert history["history"][-1]["workplace_name"] == pension["workplace_name"]
        checked += 1
    assert checked >= MIN_HOLDERS


def test_household_copy_lists_the_requester_and_the_abstract_agrees(
    outcomes: dict[str, dict[str, Any]], population: SyntheticPopulation
) -> None:
    for person in population.people():
        copy = outcomes["resident_registration_copy"][person.person_id]
        abstract = outcomes["resident_registration_abstract"][person.person_id]
        assert not isinstance(copy, NoRecord) and not isinstance(abstract, NoRecord)
        assert person.rrn in {m["resident_registration_number"] for m in copy["members"]}
        assert copy["members"][0]["relationship"] == "본인"
        assert copy["address"] == abstract["current_address"]
        assert copy["head_of_household_name"] == abstract["head_of_household_name"]
        assert abstract["address_history"][-1]["address"] == abstract["current_address"]


def test_mobile_licence_and_driving_record_describe_the_same_licence(
    outcomes: dict[str, dict[str, Any]],
) -> None:
    for person_id, licence in outcomes["mobile_driver_licence"].items():
        record = outcomes["driving_record"][person_id]
        if isinstance(licence, NoRecord):
            assert isinstance(record, NoRecord)
            continue
        assert not isinstance(record, NoRecord)
        assert licence["licence_number"] == record["licence_number"]
        assert licence["licence_classes"] == record["licence_classes"]
        assert record["acquired_date"] <= licence["issue_date"] < licence["expiry_date"]
