"""The issuance pipeline for every agency-served type, through the app's real wiring."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from issuers.adapters.base import Subject
from issuers.models import IssuedCredential
from issuers.pipeline import issue_credential
from issuers.status_lists.allocator import StatusAllocation
from issuers.status_lists.models import IssuerStatusList
from schemas.errors import InvalidInput, NoRecord, UnknownCertificateType
from schemas.registry import load_registry
from tests.issuing_helpers import device_signer, issue_for, person_with_record
from verifiers.sd_jwt_verifier import verify_sd_jwt
from wallet_api.wiring.issuing import issuer_services
from wallet_api.state import AppState

# every type an agency issues as SD-JWT VC, read from the type files (the customs
# declaration is filled in by the traveller and travels as a QR)
AGENCY_TYPES = [t.id for t in load_registry().all() if t.delivery == "sd-jwt-vc"]


@pytest.fixture
def state(client) -> AppState:  # type: ignore[no-untyped-def]
    return client.app.state.ecert


def _allocated(session: Session) -> int:
    return session.exec(select(func.coalesce(func.sum(IssuerStatusList.allocated), 0))).one()[0]  # type: ignore[call-overload]


@pytest.mark.parametrize("type_id", AGENCY_TYPES)
def test_every_agency_type_issues_and_verifies(state: AppState, type_id: str) -> None:
    holder = device_signer()
    with Session(state.engine) as session:
        issued = issue_for(state, session, type_id, holder)
        issuer_key = state.signers.active_signer(session).verification_key()
    type_def = state.registry.get(type_id)
    verified = verify_sd_jwt(
        issued.credential, issuer_key=issuer_key, require_key_binding=False,
        expected_nonce=None, expected_aud=None, now=state.clock.epoch(),
    )
    payload = verified.issuer_payload
    assert verified.issuer_header["typ"] == "dc+sd-jwt"
    assert payload["iss"] == "https://ecert.test"
    assert payload["vct"] == f"https://ecert.test/vct/{type_id}"
    assert payload["exp"] - payload["iat"] == type_def.validity_days * 86400
    assert payload["cnf"]["jwk"] == holder.public_jwk
    assert payload["status"]["status_list"]["idx"] == issued.status_idx
    assert payload["status"]["status_list"]["uri"] == issued.status_uri
    assert payload["_sd_alg"] == "sha-256"
    # every required claim is there and every disclosable top-level claim is hidden in the JWT
    from schemas.claim_check import check_claims

    registered = {"iss", "iat", "exp", "vct", "cnf", "status"}
    assert check_claims(type_def, {k: v for k, v in verified.claims.items() if k not in registered}) == []
    for claim in type_def.claims:
        if claim.disclosable and claim.name in verified.claims:
            assert claim.name not in payload, f"{claim.name} should be a disclosure"
    if "birth_date" in verified.claims and any(c.name == "age_over_19" for c in type_def.claims):
        assert isinstance(verified.claims["age_over_19"], bool)


def test_household_members_are_disclosed_one_by_one(state: AppState) -> None:
    from keys.sd_jwt import parse_disclosures, split_sd_jwt

    holder = device_signer("EdDSA")
    with Session(state.engine) as session:
        issued = issue_for(state, session, "resident_registration_copy", holder)
    disclosures = parse_disclosures(split_sd_jwt(issued.credential).disclosures).values()
    members = next(d for d in disclosures if d.name == "members")
    # the array's elements are {"...": digest} placeholders, each with its own disclosure
    assert members.value and all(set(element) == {"..."} for element in members.value)
    element_digests = {element["..."] for element in members.value}
    assert element_digests <= {d.digest for d in disclosures}
    # and each member's fields are disclosable one by one inside the element
    element = next(d for d in disclosures if d.digest in element_digests)
    assert "_sd" in element.value


def test_no_record_consumes_nothing(state: AppState) -> None:
    type_def = state.registry.get("mobile_driver_licence")
    adapter = state.adapters[type_def.adapter]  # type: ignore[index]
    without = next(p for p in state.population.people() if not adapter.has_record(type_def, Subject(rrn=p.rrn)))  # type: ignore[attr-defined]
    with Session(state.engine) as session:
        before = _allocated(session)
        with pytest.raises(NoRecord) as caught:
            issue_credential(
                session, context=issuer_services(state, session), type_id="mobile_driver_licence",
                subject=Subject(rrn=without.rrn), holder_jwk=device_signer().public_jwk, now=state.clock.now(),
            )
        assert caught.value.code == "no_record"
        assert _allocated(session) == before
        assert session.exec(select(func.count()).select_from(IssuedCredential)).one()[0] == 0  # type: ignore[call-overload]


def test_unknown_type_and_bad_holder_key(state: AppState) -> None:
    person = person_with_record(state, "resident_registration_abstract")
    with Session(state.engine) as session:
        context = issuer_services(state, session)
        with pytest.raises(UnknownCertificateType):
            issue_credential(session, context=context, type_id="nope", subject=Subject(rrn=person.rrn),
                             holder_jwk=device_signer().public_jwk, now=state.clock.now())
        private_jwk = {**device_signer().public_jwk, "d": "AAAA"}
        for bad in (private_jwk, {"kty": "RSA", "n": "x", "e": "AQAB"}, "not a key"):
            with pytest.raises(InvalidInput):
                issue_credential(session, context=context, type_id="resident_registration_abstract",
                                 subject=Subject(rrn=person.rrn), holder_jwk=bad, now=state.clock.now())
        assert _allocated(session) == 0


def test_record_holds_no_personal_data(state: AppState) -> None:
    holder = device_signer()
    person = person_with_record(state, "resident_registration_abstract")
    with Session(state.engine) as session:
        issued = issue_for(state, session, "resident_registration_abstract", holder, person=person)
        record = session.get(IssuedCredential, issued.record_id)
        assert record is not None
        row_text = repr(record.model_dump())
    assert person.name not in row_text
    assert person.rrn not in row_text and person.rrn.replace("-", "") not in row_text
    assert len(record.document_number) == 19


def test_indices_unique_and_not_sequential(state: AppState) -> None:
    holder = device_signer()
    person = person_with_record(state, "resident_registration_abstract")
    with Session(state.engine) as session:
        indices = [issue_for(state, session, "resident_registration_abstract", holder, person=person).status_idx for _ in range(40)]
    assert len(set(indices)) == 40
    gaps = [abs(b - a) for a, b in zip(indices, indices[1:])]
    assert sum(1 for g in gaps if g > 1) >= len(gaps) // 2


def test_concurrent_issuance_never_reuses_an_index(state: AppState) -> None:
    from concurrent.futures import ThreadPoolExecutor

    holder = device_signer()
    person = person_with_record(state, "national_pension_membership")

    def burst(_: int) -> list[tuple[str, int]]:
        out = []
        with Session(state.engine) as session:
            for _ in range(15):
                issued = issue_for(state, session, "national_pension_membership", holder, person=person)
                out.append((issued.status_uri, issued.status_idx))
        return out

    with ThreadPoolExecutor(max_workers=6) as pool:
        slots = [slot for batch in pool.map(burst, range(6)) for slot in batch]
    assert len(slots) == 90 and len(set(slots)) == 90


def test_a_refused_spend_writes_nothing_and_gives_the_slot_back(state: AppState, monkeypatch: pytest.MonkeyPatch) -> None:
    """The caller's single-use marks (``spend``) land in the record's COMMIT or not at all,
    and the slot the refused issuance held is the next one handed out."""
    holder = device_signer()
    person = person_with_record(state, "resident_registration_abstract")
    allocator = state.status_allocator
    released: list[StatusAllocation] = []
    release = allocator.release  # type: ignore[attr-defined]
    monkeypatch.setattr(allocator, "release", lambda slot: (released.append(slot), release(slot)))

    class Refused(Exception):
        pass

    def refuse(session: Session) -> None:
        session.add(IssuedCredential(  # a write the refusal must take back with it
            id="f" * 32, type_id="x", agency_id="x", vct="x", kid="x", status_list_id=0, status_idx=0,
            issued_at=state.clock.now(), expires_at=state.clock.now(), document_number="0000-0000-0000-0000",
            subject_ref="x", holder_jkt="x", credential_digest="x",
        ))
        session.flush()
        raise Refused

    with Session(state.engine) as session:
        first = issue_for(state, session, "resident_registration_abstract", holder, person=person)
        with pytest.raises(Refused):
            issue_credential(session, context=issuer_services(state, session), type_id="resident_registration_abstract",
                             subject=Subject(rrn=person.rrn), holder_jwk=holder.public_jwk, now=state.clock.now(), spend=refuse)
        assert session.exec(select(func.count()).select_from(IssuedCredential)).one()[0] == 1  # type: ignore[call-overload]
        again = issue_for(state, session, "resident_registration_abstract", holder, person=person)
    assert len(released) == 1 and released[0].idx != first.status_idx
    assert (again.status_uri.endswith(released[0].uri_path), again.status_idx) == (True, released[0].idx)


def test_the_population_is_built_at_start_up_and_shared(state: AppState) -> None:
    from issuers.synthetic_registry import built_population

    population = state.population
    assert population is built_population(state.settings.population_seed, state.settings.population_size)
    assert population._people is not None  # type: ignore[attr-defined]  # no first request pays for the build
