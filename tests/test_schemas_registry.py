"""The shipped certificate types and the registry API others code against.

Adding a type is adding a file: nothing here counts the types."""

from __future__ import annotations

import pytest

from schemas.claim_check import check_claims
from schemas.errors import UnknownCertificateType
from issuers.adapters import ADAPTER_CLASSES
from schemas.registry import CertificateType, TypeRegistry, default_types_dir, load_registry

EXPECTED_ADAPTERS = {
    "resident_registration_copy": "mois_resident",
    "resident_registration_abstract": "mois_resident",
    "local_tax_payment": "local_tax",
    "entry_exit_record": "moj_immigration",
    "health_insurance_eligibility": "nhis_insurance",
    "building_register_copy": "molit_register",
    "building_register_extract": "molit_register",
    "driving_record": "knpa",
    "military_service_record": "mma_military",
    "national_tax_payment": "nts_tax",
    "health_insurance_premium_payment": "nhis_insurance",
    "national_pension_membership": "nps_pension",
    "land_register": "molit_register",
    "mobile_driver_licence": "knpa",
    "mobile_civil_servant_id": "mois_civil_servant",
    "customs_declaration": "customs_declaration",
}
# the subject is a household, a building or a parcel of land, not a person
NO_BIRTH_DATE = {"resident_registration_copy", "building_register_copy",
                 "building_register_extract", "land_register"}
REGISTERED_JWT_CLAIMS = {"iss", "iat", "exp", "nbf", "vct", "cnf", "status", "sub", "_sd", "_sd_alg"}


@pytest.fixture(scope="module")
def registry() -> TypeRegistry:
    return load_registry()


def all_types() -> list[CertificateType]:
    return load_registry().all()


def test_every_type_file_loads_with_a_known_adapter(registry: TypeRegistry) -> None:
    assert len(registry) == len(list(default_types_dir().glob("*.toml")))
    # customs has no adapter: the traveller fills the declaration in
    known = {cls.adapter_id for cls in ADAPTER_CLASSES} | {"customs_declaration"}
    assert {t.id: t.adapter for t in registry if t.adapter not in known} == {}
    # the types of 2020 keep the adapters agreed with their agencies
    assert {t.id: t.adapter for t in registry if t.id in EXPECTED_ADAPTERS} == EXPECTED_ADAPTERS


@pytest.mark.parametrize("type_def", all_types(), ids=lambda t: t.id)
def test_every_claim_has_korean_and_english_labels(type_def: CertificateType) -> None:
    for path, claim in type_def.iter_claims():
        assert claim.label.ko.strip() and claim.label.en.strip(), path
    assert type_def.name.ko and type_def.name.en
    assert type_def.description.ko and type_def.description.en
    assert type_def.agency.ko and type_def.agency.en


@pytest.mark.parametrize("type_def", all_types(), ids=lambda t: t.id)
def test_registered_jwt_claims_are_not_type_claims(type_def: CertificateType) -> None:
    assert not {c.name for c in type_def.claims} & REGISTERED_JWT_CLAIMS


@pytest.mark.parametrize("type_def", all_types(), ids=lambda t: t.id)
def test_resident_registration_numbers_are_sensitive_disclosable_rrn(
    type_def: CertificateType,
) -> None:
    for path, claim in type_def.iter_claims():
        if claim.format == "rrn" or claim.name == "resident_registration_number":
            assert claim.name == "resident_registration_number", path
            assert (claim.format, claim.sensitive, claim.disclosable) == ("rrn", True, True), path


@pytest.mark.parametrize("type_def", all_types(), ids=lambda t: t.id)
def test_person_types_have_birth_date_and_derived_age_over_19(type_def: CertificateType) -> None:
    names = {c.name for c in type_def.claims}
    if type_def.id in NO_BIRTH_DATE:
        assert "birth_date" not in names
        return
    assert type_def.claim("birth_date").type == "date"
    age = type_def.claim("age_over_19")
    assert age.type == "boolean"
    assert age.derive is not None
    assert (age.derive.rule, age.derive.years, age.derive.from_) == ("age_over", 19, "birth_date")


@pytest.mark.parametrize("type_def", all_types(), ids=lambda t: t.id)
def test_examples_form_a_conforming_claims_object(type_def: CertificateType) -> None:
    assert check_claims(type_def, type_def.example_claims()) == []


def test_validity_and_delivery_follow_the_paper_rules(registry: TypeRegistry) -> None:
    assert registry.get("resident_registration_copy").validity_days == 90
    assert registry.get("resident_registration_abstract").validity_days == 90
    assert registry.get("local_tax_payment").validity_days == 30
    assert registry.get("national_tax_payment").validity_days == 30
    customs = registry.get("customs_declaration")
    assert (customs.delivery, customs.validity_days, customs.agency.id) == ("qr", 30, "kcs")
    assert registry.get("mobile_driver_licence").delivery == "sd-jwt-vc"
    assert [t.id for t in registry if t.delivery == "qr"] == ["customs_declaration"]


def test_get_unknown_type_raises_the_shared_not_found_error(registry: TypeRegistry) -> None:
    with pytest.raises(UnknownCertificateType) as caught:
        registry.get("no_such_certificate")
    assert caught.value.code == "unknown_type"
    assert caught.value.status == 404


def test_container_protocol(registry: TypeRegistry) -> None:
    assert "land_register" in registry
    assert "nope" not in registry
    assert 3 not in registry
    assert [t.id for t in registry] == sorted(t.id for t in registry.all())
    assert registry.ids() == [t.id for t in registry.all()]


def test_public_view_hides_internal_issuance_rules(registry: TypeRegistry) -> None:
    public = registry.get("resident_registration_abstract").public()
    assert "adapter" not in public and "status_family" not in public
    assert public["id"] == "resident_registration_abstract"
    assert public["name"] == {"ko": "주민등록표 초본", "en": "Resident Registration Abstract"}
    age = next(c for c in public["claims"] if c["name"] == "age_over_19")
    # the alias, not the Python name, is what readers of the published view see
    assert age["derive"] == {"rule": "age_over", "years": 19, "from": "birth_date"}


def test_claim_lookup_by_dotted_path(registry: TypeRegistry) -> None:
    copy = registry.get("resident_registration_copy")
    assert copy.claim("members.name").label.ko == "성명"
    assert copy.claim("members[].name") is copy.claim("members.name")
    assert copy.claim("members[]").type == "object"
    customs = registry.get("customs_declaration")
    assert customs.claim("items.other_goods.currency").format == "iso4217"
    assert customs.claim("countries_visited[]").format == "iso3166"
    for missing in ("nope", "members.nope", "head_of_household_name[]", "address.x"):
        with pytest.raises(KeyError):
            copy.claim(missing)


def test_path_helpers(registry: TypeRegistry) -> None:
    copy = registry.get("resident_registration_copy")
    assert "members[].resident_registration_number" in copy.disclosable_paths()
    assert "members[]" in copy.disclosable_paths()
    assert copy.always_disclosed_paths() == ["issuing_office"]
    assert copy.sensitive_paths() == ["members[].resident_registration_number"]
    assert list(registry.get("mobile_driver_licence").derived_claims()) == ["age_over_19"]
    assert copy.derived_claims() == {}


def test_types_are_frozen(registry: TypeRegistry) -> None:
    with pytest.raises(Exception):
        registry.get("land_register").validity_days = 1  # type: ignore[misc]
