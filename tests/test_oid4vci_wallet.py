"""OpenID4VCI over HTTP, as an outside wallet sees it.

The wallet side of every test here uses only HTTP (the ``client`` fixture), ``cryptography``,
``jwt`` (pyjwt), ``sd_jwt`` and ``json``. Project code appears only in set-up (an operator
for the admin API, an offer created in the past, counting issued records).
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

import jwt
import pytest
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from issuers.adapters.base import Subject
from issuers.models import IssuedCredential
from issuers.oid4vci.offers import create_offer
from tests.issuing_helpers import person_with_record
from tests.oid4vci_wallet import ABSTRACT, ISSUER, PRE_AUTH, Wallet, _offer_over_admin_api, _operator_key
from wallet_api.wiring.issuing import issuer_services

COPY = "resident_registration_copy"
AGENCY_TYPES = [
    "resident_registration_copy",
    "resident_registration_abstract",
    "local_tax_payment",
    "national_tax_payment",
    "entry_exit_record",
    "health_insurance_eligibility",
    "health_insurance_premium_payment",
    "national_pension_membership",
    "building_register_copy",
    "building_register_extract",
    "land_register",
    "driving_record",
    "military_service_record",
    "mobile_driver_licence",
    "mobile_civil_servant_id",
]


def _issued_counts(client: TestClient) -> int:
    """Issuance records. Not the lists' reserved marks: the server reserves slots in blocks
    ahead of use, and a failed request's slot goes back to its pool (test_status_list_issuer)."""
    state = client.app.state.ecert  # type: ignore[attr-defined]
    with Session(state.engine) as session:
        return int(session.scalar(select(func.count()).select_from(IssuedCredential)) or 0)


def _error(response: Any) -> str:
    return response.json()["error"]


# --- the whole flow ---------------------------------------------------------------------
def test_outside_wallet_full_flow_with_tx_code(client: TestClient) -> None:
    created = _offer_over_admin_api(client, [ABSTRACT], tx_code=True)
    wallet = Wallet(client)

    metadata = client.get("/.well-known/openid-credential-issuer").json()
    assert metadata["credential_issuer"] == ISSUER
    configuration = metadata["credential_configurations_supported"][ABSTRACT]
    assert configuration["format"] == "dc+sd-jwt"
    assert configuration["proof_types_supported"]["jwt"]["proof_signing_alg_values_supported"] == ["ES256", "EdDSA"]
    assert {d["locale"] for d in configuration["credential_metadata"]["display"]} == {"ko", "en"}
    assert ["address_history", None, "address"] in [c["path"] for c in configuration["credential_metadata"]["claims"]]
    assert "customs_declaration" not in metadata["credential_configurations_supported"]
    oauth = client.get("/.well-known/oauth-authorization-server").json()
    assert oauth["issuer"] == ISSUER and oauth["pre-authorized_grant_anonymous_access_supported"] is True
    assert oauth["grant_types_supported"] == [PRE_AUTH]

    offer = wallet.read_offer(created["offer_uri"])
    assert offer["credential_issuer"] == ISSUER and offer["credential_configuration_ids"] == [ABSTRACT]
    assert offer["grants"][PRE_AUTH]["tx_code"] == {**offer["grants"][PRE_AUTH]["tx_code"], "input_mode": "numeric", "length": 6}

    token = wallet.token(offer, created["tx_code"])
    assert token.status_code == 200 and token.headers["cache-control"] == "no-store"
    body = token.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0

    proof = wallet.proof(wallet.nonce())
    response = wallet.credential(body["access_token"], ABSTRACT, proof)
    assert response.status_code == 200, response.text
    credential = response.json()["credentials"][0]["credential"]

    payload = wallet.present_and_verify(credential, {"name": True, "age_over_19": True})
    assert payload["iss"] == ISSUER and payload["vct"] == configuration["vct"]
    assert payload["cnf"]["jwk"]["x"] == wallet.jwk["x"]
    assert "name" in payload and "resident_registration_number" not in payload
    assert client.get(urlparse(configuration["vct"]).path).status_code == 200


def test_offer_by_reference(client: TestClient) -> None:
    created = _offer_over_admin_api(client, [ABSTRACT], by_reference=True)
    assert created["credential_offer_uri"].startswith(ISSUER + "/oid4vci/offers/")
    wallet = Wallet(client, "EdDSA")
    credential = wallet.fetch(created["offer_uri"], ABSTRACT)
    assert credential.count("~") >= 2
    # once redeemed, the reference no longer serves the code
    assert client.get(urlparse(created["credential_offer_uri"]).path).status_code == 404


@pytest.mark.parametrize("type_id", AGENCY_TYPES)
def test_every_type_is_issued_over_oid4vci(client: TestClient, type_id: str) -> None:
    metadata = client.get("/.well-known/openid-credential-issuer").json()
    claims = metadata["credential_configurations_supported"][type_id]["credential_metadata"]["claims"]
    top_level = {c["path"][0] for c in claims if len(c["path"]) == 1}
    wallet = Wallet(client)
    credential = wallet.fetch(_offer_over_admin_api(client, [type_id])["offer_uri"], type_id)
    payload = wallet.present_and_verify(credential, {name: True for name in top_level})
    assert payload["vct"] == f"{ISSUER}/vct/{type_id}"
    assert payload["status"]["status_list"]["uri"].startswith(ISSUER)
    mandatory = {c["path"][0] for c in claims if len(c["path"]) == 1 and c["mandatory"]}
    assert mandatory <= set(payload)


# --- attacks: each rejected with its code, nothing issued -------------------------------
@pytest.fixture
def granted(client: TestClient) -> tuple[Wallet, str]:
    wallet = Wallet(client)
    offer = wallet.read_offer(_offer_over_admin_api(client, [ABSTRACT, COPY])["offer_uri"])
    token = wallet.token(offer)
    assert token.status_code == 200
    return wallet, token.json()["access_token"]


def _b64(raw: bytes) -> str:
    return jwt.utils.base64url_encode(raw).decode()


def _bad_proof(wallet: Wallet, case: str) -> str:
    nonce = wallet.nonce()
    other = ec.generate_private_key(ec.SECP256R1())
    if case == "wrong nonce":
        return wallet.proof("not-a-nonce-we-issued")
    if case == "no nonce":
        return wallet.proof(None)
    if case in ("alg none", "HS256"):
        alg = "none" if case == "alg none" else "HS256"
        header = {"alg": alg, "typ": "openid4vci-proof+jwt", "jwk": wallet.jwk}
        payload = {"aud": ISSUER, "iat": int(time.time()), "nonce": nonce}
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
        if alg == "none":
            return signing_input + "."
        # the classic confusion: the public key's JSON as the HMAC secret (pyjwt refuses to)
        mac = hmac.HMAC(json.dumps(wallet.jwk).encode(), hashes.SHA256())
        mac.update(signing_input.encode())
        return f"{signing_input}.{_b64(mac.finalize())}"
    if case == "wrong aud":
        return wallet.proof(nonce, aud="https://other-issuer.example")
    if case == "expired iat":
        return wallet.proof(nonce, iat=int(time.time()) - 3600)
    if case == "kid instead of jwk":
        return wallet.proof(nonce, headers={"jwk": None, "kid": "did:example:holder#0"})
    if case == "jwk does not match the signing key":
        return wallet.proof(nonce, key=other)
    if case == "private jwk":
        private = jwt.algorithms.ECAlgorithm.to_jwk(wallet.key, as_dict=True)  # type: ignore[attr-defined]
        return wallet.proof(nonce, headers={"jwk": private})
    raise AssertionError(case)


BAD_PROOFS = {
    "wrong nonce": "invalid_nonce",
    "no nonce": "invalid_nonce",
    "alg none": "invalid_proof",
    "HS256": "invalid_proof",
    "wrong aud": "invalid_proof",
    "expired iat": "invalid_proof",
    "kid instead of jwk": "invalid_proof",
    "jwk does not match the signing key": "invalid_proof",
    "private jwk": "invalid_proof",
}


@pytest.mark.parametrize("case", list(BAD_PROOFS))
def test_bad_proof_is_rejected_and_nothing_issued(client: TestClient, granted: tuple[Wallet, str], case: str) -> None:
    wallet, access_token = granted
    before = _issued_counts(client)
    response = wallet.credential(access_token, ABSTRACT, _bad_proof(wallet, case))
    assert response.status_code == 400, response.text
    assert _error(response) == BAD_PROOFS[case]
    assert _issued_counts(client) == before
    # the grant was not spent by the failure: a good proof still gets the credential
    assert wallet.credential(access_token, ABSTRACT, wallet.proof(wallet.nonce())).status_code == 200


def test_replayed_nonce(client: TestClient, granted: tuple[Wallet, str]) -> None:
    wallet, access_token = granted
    nonce = wallet.nonce()
    assert wallet.credential(access_token, ABSTRACT, wallet.proof(nonce)).status_code == 200
    before = _issued_counts(client)
    replay = wallet.credential(access_token, COPY, wallet.proof(nonce))
    assert replay.status_code == 400 and _error(replay) == "invalid_nonce"
    assert _issued_counts(client) == before


def test_each_configuration_once_per_token(client: TestClient, granted: tuple[Wallet, str]) -> None:
    wallet, access_token = granted
    assert wallet.credential(access_token, ABSTRACT, wallet.proof(wallet.nonce())).status_code == 200
    before = _issued_counts(client)
    again = wallet.credential(access_token, ABSTRACT, wallet.proof(wallet.nonce()))
    assert again.status_code == 400 and _error(again) == "credential_request_denied"
    assert _issued_counts(client) == before
    assert wallet.credential(access_token, COPY, wallet.proof(wallet.nonce())).status_code == 200


def test_token_for_another_configuration(client: TestClient, granted: tuple[Wallet, str]) -> None:
    wallet, access_token = granted
    before = _issued_counts(client)
    response = wallet.credential(access_token, "driving_record", wallet.proof(wallet.nonce()))
    assert response.status_code == 403 and _error(response) == "insufficient_scope"
    unknown = wallet.credential(access_token, "no_such_certificate", wallet.proof(wallet.nonce()))
    assert unknown.status_code == 400 and _error(unknown) == "unknown_credential_configuration"
    customs = wallet.credential(access_token, "customs_declaration", wallet.proof(wallet.nonce()))
    assert _error(customs) == "unknown_credential_configuration"
    assert _issued_counts(client) == before


def test_missing_or_bad_access_token(client: TestClient) -> None:
    wallet = Wallet(client)
    for token in (None, "forged-token"):
        response = wallet.credential(token, ABSTRACT, wallet.proof(wallet.nonce()))
        assert response.status_code == 401 and _error(response) == "invalid_token"


@pytest.mark.parametrize(
    "body",
    [
        {"credential_configuration_id": ABSTRACT},
        {"credential_configuration_id": ABSTRACT, "proof": {"proof_type": "jwt", "jwt": "x"}},
        {"credential_configuration_id": ABSTRACT, "proofs": {"jwt": ["a", "b"]}},
        {"proofs": {"jwt": ["a"]}},
        ["not", "an", "object"],
    ],
)
def test_malformed_credential_request(client: TestClient, granted: tuple[Wallet, str], body: Any) -> None:
    _, access_token = granted
    response = client.post("/credential", json=body, headers={"Authorization": f"Bearer {access_token}"})
    assert response.status_code == 400 and _error(response) == "invalid_credential_request"


def test_replayed_pre_authorized_code(client: TestClient) -> None:
    wallet = Wallet(client)
    offer = wallet.read_offer(_offer_over_admin_api(client, [ABSTRACT])["offer_uri"])
    assert wallet.token(offer).status_code == 200
    replay = wallet.token(offer)
    assert replay.status_code == 400 and _error(replay) == "invalid_grant"
    assert replay.headers["cache-control"] == "no-store"


def test_wrong_tx_code(client: TestClient) -> None:
    created = _offer_over_admin_api(client, [ABSTRACT], tx_code=True)
    wallet = Wallet(client)
    offer = wallet.read_offer(created["offer_uri"])
    wrong = f"{(int(created['tx_code']) + 1) % 10**6:06d}"
    response = wallet.token(offer, wrong)
    assert response.status_code == 400 and _error(response) == "invalid_grant"
    missing = wallet.token(offer)
    assert missing.status_code == 400 and _error(missing) == "invalid_request"
    for _ in range(4):
        assert _error(wallet.token(offer, wrong)) == "invalid_grant"
    assert _error(wallet.token(offer, created["tx_code"])) == "invalid_grant"


def test_expired_offer(client: TestClient) -> None:
    state = client.app.state.ecert  # type: ignore[attr-defined]
    with Session(state.engine, expire_on_commit=False) as session:
        created = create_offer(
            session, context=issuer_services(state, session), type_ids=[ABSTRACT],
            subject=Subject(rrn=person_with_record(state, ABSTRACT).rrn), with_tx_code=False,
            now=state.clock.now() - timedelta(hours=1), ttl=timedelta(minutes=10), created_by="test",
        )
    wallet = Wallet(client)
    response = wallet.token(wallet.read_offer(created.offer_uri))
    assert response.status_code == 400 and _error(response) == "invalid_grant"


def test_token_endpoint_errors(client: TestClient) -> None:
    assert _error(client.post("/token", data={})) == "invalid_request"
    unsupported = client.post("/token", data={"grant_type": "client_credentials"})
    assert unsupported.status_code == 400 and _error(unsupported) == "unsupported_grant_type"
    unknown = client.post("/token", data={"grant_type": PRE_AUTH, "pre-authorized_code": "guessed"})
    assert unknown.status_code == 400 and _error(unknown) == "invalid_grant"


def test_admin_offer_endpoint_guards(client: TestClient) -> None:
    state = client.app.state.ecert  # type: ignore[attr-defined]
    person = person_with_record(state, ABSTRACT)
    body = {"type_ids": [ABSTRACT], "person_id": person.person_id}
    assert client.post("/v1/admin/offers", json=body).status_code == 401
    nts = {"Authorization": f"Bearer {_operator_key(client, 'nts')}"}
    other_agency = client.post("/v1/admin/offers", json=body, headers=nts)
    assert other_agency.status_code == 403 and other_agency.json()["code"] == "forbidden"
    mois = {"Authorization": f"Bearer {_operator_key(client, 'mois')}"}
    nobody = client.post("/v1/admin/offers", json={**body, "person_id": "no-such-person"}, headers=mois)
    assert nobody.status_code == 404
    customs = client.post("/v1/admin/offers", json={**body, "type_ids": ["customs_declaration"]}, headers=mois)
    assert customs.status_code == 404 and customs.json()["code"] == "unknown_type"
