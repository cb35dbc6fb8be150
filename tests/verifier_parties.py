"""A registered bank (and a second one), a holder with an issued credential, and the OpenID4VP wallet side the verifier tests share.

A pytest plugin (tests/conftest.py lists it): its fixtures (state, bank, other_bank, holder, credential) are
available to every test."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from cryptography import x509
from fastapi.testclient import TestClient
from sqlmodel import Session

from keys.b64 import b64url_encode
from keys.jws import Signer, VerificationKey, parse_compact
from keys.sd_jwt import attach_kb_jwt, kb_jwt_signing_input, select_disclosures
from verifiers.relying_parties import register_relying_party
from wallet_api.state import AppState

from tests.issuing_helpers import device_signer, issue_for



TYPE = "resident_registration_abstract"

BASE = "https://ecert.test"

@pytest.fixture
def state(client: TestClient) -> AppState:
    return client.app.state.ecert  # type: ignore[attr-defined]

def register(state: AppState, session: Session, name: str, allowed: dict[str, list[str]]) -> tuple[str, str]:
    registered = register_relying_party(
        session, name=name, allowed=allowed, purpose="account opening", registry=state.registry,
        sealer=state.sealer, now=state.clock.now(),
    )
    return registered.relying_party.client_id, registered.api_key

@pytest.fixture
def bank(state: AppState, session: Session) -> tuple[str, dict[str, str]]:
    client_id, key = register(state, session, "한빛은행", {TYPE: ["name", "current_address"], "health_insurance_eligibility": ["history.workplace_name", "history.acquisition_date"]})
    return client_id, {"Authorization": f"Bearer {key}"}

@pytest.fixture
def other_bank(state: AppState, session: Session) -> tuple[str, dict[str, str]]:
    client_id, key = register(state, session, "다른은행", {TYPE: ["name"]})
    return client_id, {"Authorization": f"Bearer {key}"}

def vct(type_id: str) -> str:
    return f"{BASE}/vct/{type_id}"

def dcql(claims: list[str], query_id: str = "abstract") -> dict[str, Any]:
    return {"credentials": [{"id": query_id, "format": "dc+sd-jwt", "meta": {"vct_values": [vct(TYPE)]},
                             "claims": [{"path": [c]} for c in claims]}]}

def path_of(url: str) -> str:
    assert url.startswith(BASE), url
    return url[len(BASE):]

class Wallet:
    """What any OpenID4VP wallet does, with the project's holder helpers for the SD-JWT part."""

    def __init__(self, client: TestClient, holder: Signer, credential: str) -> None:
        self.client, self.holder, self.credential = client, holder, credential

    def resolve(self, uri: str) -> dict[str, Any]:
        assert uri.startswith("openid4vp://")
        params = {k: v[0] for k, v in parse_qs(urlparse(uri).query).items()}
        r = self.client.get(path_of(params["request_uri"]))
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/oauth-authz-req+jwt")
        jws = parse_compact(r.text)
        header = jws.unverified_header
        assert header["typ"] == "oauth-authz-req+jwt" and header["alg"] == "ES256"
        # x509_hash: the certificate in x5c is the one the client_id names, and it signed the request
        der = base64.b64decode(header["x5c"][0])
        assert params["client_id"] == "x509_hash:" + b64url_encode(hashlib.sha256(der).digest())
        cert_key = x509.load_der_x509_certificate(der).public_key()
        VerificationKey(kid=None, alg="ES256", public_key=cert_key).verify(jws.signing_input, jws.signature)  # type: ignore[arg-type]
        request = jws.unverified_claims()
        assert request["client_id"] == params["client_id"]
        assert request["response_type"] == "vp_token" and request["response_mode"] == "direct_post"
        return request

    def presentation(self, request: dict[str, Any], claims: list[str]) -> str:
        without_kb = select_disclosures(self.credential, [(c,) for c in claims])
        header, payload = kb_jwt_signing_input(presentation=without_kb, nonce=request["nonce"], aud=request["client_id"],
                                               iat=self.client.app.state.ecert.clock.epoch())  # type: ignore[attr-defined]
        return attach_kb_jwt(without_kb, self.holder.sign_compact(header, payload, include_kid=False))

    def respond(self, request: dict[str, Any], vp_token: dict[str, list[str]], state: str | None = None) -> Any:
        return self.client.post(path_of(request["response_uri"]),
                                data={"vp_token": json.dumps(vp_token), "state": state or request["state"]})

@pytest.fixture
def holder() -> Signer:
    return device_signer()

@pytest.fixture
def credential(state: AppState, session: Session, holder: Signer) -> Any:
    return issue_for(state, session, TYPE, holder)

def create(client: TestClient, headers: dict[str, str], claims: list[str]) -> dict[str, Any]:
    r = client.post("/v1/presentation-requests", json={"dcql_query": dcql(claims), "purpose": "계좌 개설"}, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()

def direct(holder: Signer, credential: str, claims: list[str], *, nonce: str, aud: str, iat: int) -> str:
    without_kb = select_disclosures(credential, [(c,) for c in claims])
    header, payload = kb_jwt_signing_input(presentation=without_kb, nonce=nonce, aud=aud, iat=iat)
    return attach_kb_jwt(without_kb, holder.sign_compact(header, payload, include_kid=False))
