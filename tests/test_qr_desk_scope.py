"""A mobile-ID scan's single-use mark commits by itself (no transaction round trips) only
where nothing after it can refuse the scan; otherwise the unit is one transaction."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.qr_desk import LICENCE, _mobile_qr, _party, _signed_in, _verify

from verifiers.models import RelyingParty
from verifiers.qr.profiles import qr_profiles
from wallet_api.clock import FixedClock
from wallet_api.qr.desk import needs_transaction

CIVIL_SERVANT_ID = "mobile_civil_servant_id"
ADULT_CLAIMS = ["age_over_19", "portrait_sha256"]


def test_a_party_refused_the_claims_leaves_the_qr_unused(app_client: TestClient, clock: FixedClock) -> None:
    client = app_client
    app, phone = _signed_in(client, CIVIL_SERVANT_ID)
    credential_id = app.obtain(CIVIL_SERVANT_ID, phone)["id"]
    text = _mobile_qr(app, phone, credential_id, "adult_check")
    licence_only = _party(client, "편의점", {LICENCE: ADULT_CLAIMS})
    refused = client.post("/v1/qr/verify", json={"text": text}, headers={"Authorization": f"Bearer {licence_only}"})
    assert refused.status_code == 403, refused.text
    both = _party(client, "주점", {LICENCE: ADULT_CLAIMS, CIVIL_SERVANT_ID: ADULT_CLAIMS})
    accepted = _verify(client, both, text)
    assert (accepted["valid"], accepted["code"]) == (True, None), accepted
    assert _verify(client, both, text)["code"] == "replayed"


def test_which_scans_need_a_transaction() -> None:
    profiles = qr_profiles()
    every_type = RelyingParty(id="p", name="p", allowed={LICENCE: ADULT_CLAIMS, CIVIL_SERVANT_ID: ADULT_CLAIMS})
    licence_only = RelyingParty(id="q", name="q", allowed={LICENCE: ADULT_CLAIMS})
    assert needs_transaction(profiles["customs_gate"], every_type)  # mark and clearance commit together
    assert not needs_transaction(profiles["adult_check"], every_type)
    assert needs_transaction(profiles["adult_check"], licence_only)  # a 403 may follow the mark
    assert not needs_transaction(profiles["licence_check"], licence_only)
    assert not needs_transaction(None, licence_only)  # nothing is written
