"""``POST /v1/verify`` cannot be made to check less than the party registered (issue 12):
the registered profile is a floor, and the audience is the calling party's own client_id, so
a presentation made for party X is judged by party Z as addressed to someone else, before
X's replay mark could be spent."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from keys.jws import Signer
from keys.sd_jwt import select_disclosures
from verifiers.models import UsedNonce
from verifiers.profiles import PROFILES, CheckStep, Profile
from verifiers.relying_parties import register_relying_party
from wallet_api.state import AppState

from tests.issuing_helpers import device_signer, issue_for
from tests.verifier_parties import TYPE, direct

Party = tuple[str, dict[str, str]]


@pytest.fixture
def state(client: TestClient) -> AppState:
    return client.app.state.ecert  # type: ignore[attr-defined]


def _party(state: AppState, session: Session, name: str, profile: str) -> Party:
    registered = register_relying_party(
        session, name=name, allowed={TYPE: ["name", "current_address"]}, purpose="account opening",
        registry=state.registry, sealer=state.sealer, now=state.clock.now(), profile=profile,
    )
    return registered.relying_party.client_id, {"Authorization": f"Bearer {registered.api_key}"}


@pytest.fixture
def bank_x(state: AppState, session: Session) -> Party:
    return _party(state, session, "X은행", "bank")


@pytest.fixture
def bank_z(state: AppState, session: Session) -> Party:
    return _party(state, session, "Z은행", "bank")


@pytest.fixture
def holder() -> Signer:
    return device_signer()


@pytest.fixture
def credential(state: AppState, session: Session, holder: Signer) -> Any:
    return issue_for(state, session, TYPE, holder)


def _marks(session: Session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(UsedNonce)).one()


def test_a_bank_cannot_ask_for_upload_to_accept_a_presentation_without_key_binding(  # type: ignore[no-untyped-def]
    client: TestClient, bank_z: Party, credential: Any
) -> None:
    # a presentation forwarded by someone else, its KB-JWT removed
    _, headers = bank_z
    stripped = select_disclosures(credential.credential, [("name",)])
    r = client.post("/v1/verify", json={"presentation": stripped, "profile": "upload"}, headers=headers)
    assert r.status_code == 403, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["code"] == "profile_weaker_than_registered"
    assert body["registered"] == "bank" and body["requested"] == "upload"
    # under its own profile the same presentation is judged, and refused for what it lacks
    judged = client.post("/v1/verify", json={"presentation": stripped, "nonce": "n"}, headers=headers).json()
    assert (judged["valid"], judged["code"]) == (False, "holder_binding_failed")


def test_a_stricter_profile_may_be_asked_for(client: TestClient, state: AppState, session: Session,  # type: ignore[no-untyped-def]
                                            holder: Signer, credential: Any) -> None:
    client_id, headers = _party(state, session, "업로드 창구", "upload")
    presentation = direct(holder, credential.credential, ["name"], nonce="n-1", aud=client_id, iat=state.clock.epoch())
    r = client.post("/v1/verify", json={"presentation": presentation, "nonce": "n-1", "profile": "customs"}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["valid"] is True and [c["id"] for c in r.json()["checks"]] == PROFILES["customs"].check_ids
    # office waits 600 s for a KB-JWT where upload (and bank) allow 300: looser there, so refused
    r = client.post("/v1/verify", json={"presentation": presentation, "nonce": "n-1", "profile": "office"}, headers=headers)
    assert r.status_code == 403 and r.json()["weaker"] == ["holder_binding.max_age_s"]


def test_unknown_profile_is_still_invalid_input(client: TestClient, bank_z: Party) -> None:
    _, headers = bank_z
    r = client.post("/v1/verify", json={"presentation": "x~", "nonce": "n", "profile": "lenient"}, headers=headers)
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"


def test_party_z_cannot_verify_or_spend_a_presentation_made_for_party_x(  # type: ignore[no-untyped-def]
    client: TestClient, state: AppState, session: Session, bank_x: Party, bank_z: Party, holder: Signer, credential: Any
) -> None:
    x_client_id, x_headers = bank_x
    _, z_headers = bank_z
    for_x = direct(holder, credential.credential, ["name"], nonce="x-nonce", aud=x_client_id, iat=state.clock.epoch())

    # Z names X's audience: refused outright
    r = client.post("/v1/verify", json={"presentation": for_x, "nonce": "x-nonce", "audience": x_client_id}, headers=z_headers)
    assert r.status_code == 403 and r.json()["code"] == "audience_not_own", r.text
    # Z leaves the audience out: it is Z's own, and the presentation is addressed to another verifier
    r = client.post("/v1/verify", json={"presentation": for_x, "nonce": "x-nonce"}, headers=z_headers)
    assert r.status_code == 200
    assert (r.json()["valid"], r.json()["code"], r.json()["claims"]) == (False, "nonce_mismatch", {})
    assert _marks(session) == 0

    # X's mark is unspent: X verifies it, once
    accepted = client.post("/v1/verify", json={"presentation": for_x, "nonce": "x-nonce"}, headers=x_headers).json()
    assert accepted["valid"] is True and accepted["claims"]["name"]
    again = client.post("/v1/verify", json={"presentation": for_x, "nonce": "x-nonce", "audience": x_client_id}, headers=x_headers).json()
    assert (again["valid"], again["code"]) == (False, "replayed")
    assert _marks(session) == 1


# --- the order itself -------------------------------------------------------------------------


def test_strictness_order_of_the_built_in_profiles() -> None:
    bank, office, customs, upload = (PROFILES[n] for n in ("bank", "office", "customs", "upload"))
    assert all(p.weaker_than(p) == [] for p in PROFILES.values())
    assert customs.weaker_than(bank) == [] and bank.weaker_than(office) == []
    assert office.weaker_than(bank) == ["holder_binding.max_age_s"]
    assert upload.weaker_than(bank) == ["does not run ['nonce_audience', 'replay']"]
    assert bank.weaker_than(upload) == []


def _with(profile: Profile, check_id: str, **options: Any) -> Profile:
    return Profile("x", tuple(CheckStep(s.id, {**s.options, **options}) if s.id == check_id else s for s in profile.steps))


def test_each_loosened_option_and_reordering_is_weaker() -> None:
    bank = PROFILES["bank"]
    assert _with(bank, "status", required=False).weaker_than(bank) == ["status.required"]
    assert _with(bank, "validity", leeway_s=300).weaker_than(bank) == ["validity.leeway_s"]
    assert _with(bank, "validity", require_exp=False).weaker_than(bank) == ["validity.require_exp"]
    assert _with(bank, "holder_binding", leeway_s=600).weaker_than(bank) == ["holder_binding.leeway_s"]
    assert _with(bank, "replay", retain_s=10).weaker_than(bank) == ["replay.retain_s"]
    assert _with(bank, "parse", max_chars=10**9).weaker_than(bank) == ["parse.max_chars"]
    assert _with(bank, "typ", typ="jwt").weaker_than(bank) == ["typ.typ"]
    # an option nobody ranked is only "no looser" when it is the same
    assert _with(bank, "signature", skip=True).weaker_than(bank) == ["signature.skip"]
    required = bank.with_required_claims([["name"]])
    assert bank.weaker_than(required) == ["does not run ['required_claims']"]
    assert required.with_required_claims([["current_address"]]).weaker_than(required) == []
    # replay before the checks it guards would spend a mark for a presentation that then fails
    moved = Profile("x", (bank.steps[-1], *bank.steps[:-1]))
    assert moved.weaker_than(bank)[0].startswith("runs ")
