"""Submitting: only to registered relying parties; one-time links work once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi.testclient import TestClient

from issuers.pipeline import vct_for
from verifiers.oid4vp.verifier_identity import create_identity, request_signer, x5c
from tests.wallet_app import ABSTRACT, MobileApp, bank_request, person_with_types, register_bank
from wallet_api.wallet.fetching import Fetched


class RogueVerifier:
    """A verifier on another origin, whose client_id nobody registered."""

    def __init__(self, state: Any) -> None:
        self.identity = create_identity(name="Totally A Bank", sealer=state.sealer, now=state.clock.now())
        self.signer = request_signer(client_id=self.identity.client_id, sealed_private_key=self.identity.sealed_private_key, sealer=state.sealer)
        self.vct = vct_for(state.settings.issuer_id, ABSTRACT)
        self.now = state.clock.epoch()
        self.posted: list[Mapping[str, str]] = []

    def uri(self) -> str:
        return "openid4vp://?" + urlencode({"client_id": self.identity.client_id, "request_uri": "https://rogue.example/req/1"})

    def get(self, uri: str, *, accept: str) -> Fetched:
        payload = {
            "client_id": self.identity.client_id,
            "response_type": "vp_token",
            "response_mode": "direct_post",
            "response_uri": "https://rogue.example/resp/1",
            "nonce": "n-0123456789",
            "state": "s-1",
            "dcql_query": {"credentials": [{"id": "a", "format": "dc+sd-jwt", "meta": {"vct_values": [self.vct]},
                                            "claims": [{"path": ["resident_registration_number"]}]}]},
            "client_metadata": {"client_name": "Totally A Bank"},
            "iat": self.now,
            "exp": self.now + 600,
        }
        token = self.signer.sign_compact({"typ": "oauth-authz-req+jwt", "x5c": x5c(self.identity.certificate_der)}, payload, include_kid=False)
        return Fetched(200, "application/oauth-authz-req+jwt", token)

    def post_form(self, uri: str, form: Mapping[str, str]) -> Fetched:
        self.posted.append(form)
        return Fetched(200, "application/json", "{}")


def _signed_in_with_abstract(client: TestClient) -> tuple[MobileApp, str, str]:
    app = MobileApp(client, person_with_types(client, 1)[0])
    app.enrol()
    phone = app.register_device()
    app.sign_in(phone)
    return app, phone, app.obtain(ABSTRACT, phone)["id"]


def test_presentation_to_an_unregistered_relying_party_is_refused(client: TestClient) -> None:
    app, _phone, _credential = _signed_in_with_abstract(client)
    rogue = RogueVerifier(client.app.state.ecert)  # type: ignore[attr-defined]
    client.app.state.ecert.external_fetcher = rogue  # type: ignore[attr-defined]
    r = client.post("/v1/wallet/presentations/resolve", json={"uri": rogue.uri()}, headers=app.auth)
    assert r.status_code == 403 and r.json()["code"] == "relying_party_unregistered"
    assert rogue.posted == []
    assert client.get("/v1/wallet/submissions", headers=app.auth).json() == []


def test_tampered_or_mismatched_request_objects_are_refused(client: TestClient) -> None:
    app, _phone, _credential = _signed_in_with_abstract(client)
    api_key, client_id = register_bank(client)
    request = bank_request(client, api_key, ["name"])
    # the URI names another client_id than the signed request object
    forged = request["uri"].replace("x509_hash%3A", "x509_hash%3AAA")
    r = client.post("/v1/wallet/presentations/resolve", json={"uri": forged}, headers=app.auth)
    assert r.status_code == 400 and r.json()["code"] == "request_invalid"
    r = client.post("/v1/wallet/presentations/resolve", json={"uri": "https://bank.example/?x=1"}, headers=app.auth)
    assert r.status_code == 400 and r.json()["code"] == "request_invalid"


def test_one_time_link_works_once(client: TestClient) -> None:
    app, phone, credential = _signed_in_with_abstract(client)
    created = client.post("/v1/wallet/share-links", json={"credential_id": credential, "claims": ["name", "current_address"], "purpose": "전세 계약"}, headers=app.auth)
    assert created.status_code == 201, created.text
    prepared = created.json()
    leaving = prepared["items"][0]["disclosed_claims"]
    assert {"name", "current_address"} <= set(leaving) and "resident_registration_number" not in leaving
    submitted = client.post(
        f"/v1/wallet/presentations/{prepared['consent_id']}/submit",
        json={"kb_jwt_signature": app.sign_items(prepared, phone)[credential]},
        headers=app.auth,
    )
    assert submitted.status_code == 200, submitted.text
    link, code = submitted.json()["link"], submitted.json()["viewing_code"]
    path = link.removeprefix("https://ecert.test")

    # a second submit of the same consent sends nothing new
    again = client.post(f"/v1/wallet/presentations/{prepared['consent_id']}/submit",
                        json={"kb_jwt_signature": app.sign_items(prepared, phone)[credential]}, headers=app.auth)
    assert again.status_code == 400 and again.json()["code"] == "replayed"

    # the code in the URL (the old form) is refused unevaluated: URLs reach access logs
    refused = client.get(path, params={"code": code})
    assert refused.status_code == 400 and refused.json()["code"] == "viewing_code_in_url"
    assert client.get(path, headers={"X-Viewing-Code": "00000000" if code != "00000000" else "11111111"}).status_code == 401
    viewed = client.get(path, headers={"X-Viewing-Code": code})
    assert viewed.status_code == 200, viewed.text
    result = viewed.json()
    # what the holder chose plus the claims the type never hides (e.g. the issuing office)
    assert result["valid"] is True and set(result["claims"]) == set(leaving)
    assert "resident_registration_number" not in result["claims"]
    assert result["claims"]["name"] == app.person.name

    second = client.get(path, headers={"X-Viewing-Code": code})
    assert second.status_code == 410 and second.json()["code"] == "link_gone"

    history = client.get("/v1/wallet/submissions", headers=app.auth).json()
    assert [(h["kind"], h["outcome"], h["purpose"]) for h in history] == [("share_link", "link_viewed", "전세 계약")]
    assert history[0]["credentials"][0]["claims"] == [["name"], ["current_address"]]


def test_one_time_link_expires_and_burns(app_client: TestClient, clock) -> None:  # type: ignore[no-untyped-def]
    client = app_client
    app, phone, credential = _signed_in_with_abstract(client)

    def new_link() -> tuple[str, str]:
        prepared = client.post("/v1/wallet/share-links", json={"credential_id": credential, "claims": ["name"]}, headers=app.auth).json()
        done = client.post(f"/v1/wallet/presentations/{prepared['consent_id']}/submit",
                           json={"kb_jwt_signature": app.sign_items(prepared, phone)[credential]}, headers=app.auth).json()
        return done["link"].removeprefix("https://ecert.test"), done["viewing_code"]

    path, code = new_link()
    clock.advance(client.app.state.ecert.settings.share_link_ttl_s + 1)  # type: ignore[attr-defined]
    assert client.get(path, headers={"X-Viewing-Code": code}).status_code == 410
    app.sign_in(phone)  # the old token expired with the day
    path, code = new_link()
    wrong = "12345678" if code != "12345678" else "87654321"
    for _ in range(client.app.state.ecert.settings.share_link_max_code_attempts):  # type: ignore[attr-defined]
        assert client.get(path, headers={"X-Viewing-Code": wrong}).status_code == 401
    assert client.get(path, headers={"X-Viewing-Code": code}).status_code == 410
    assert client.get("/v1/shared/" + "0" * 32, headers={"X-Viewing-Code": code}).status_code == 404

