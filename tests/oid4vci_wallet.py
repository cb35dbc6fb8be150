"""An outside wallet over OpenID4VCI (HTTP, cryptography, pyjwt, the IETF sd-jwt library) and
the operator set-up it needs; used by the OpenID4VCI and device tests."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from fastapi.testclient import TestClient
from jwcrypto.jwk import JWK
from sqlmodel import Session

sd_jwt = pytest.importorskip("sd_jwt")
from sd_jwt.holder import SDJWTHolder  # noqa: E402
from sd_jwt.verifier import SDJWTVerifier  # noqa: E402

from issuers.operators import add_operator  # noqa: E402
from tests.issuing_helpers import person_with_record  # noqa: E402

ISSUER = "https://ecert.test"
PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
ABSTRACT = "resident_registration_abstract"



# --- set-up: the operator side (project code allowed) -----------------------------------
def _operator_key(client: TestClient, agency_id: str) -> str:
    state = client.app.state.ecert  # type: ignore[attr-defined]
    with Session(state.engine) as session:
        return add_operator(session, name=f"{agency_id} desk", agency_id=agency_id, now=state.clock.now()).api_key

def _offer_over_admin_api(client: TestClient, type_ids: list[str], *, tx_code: bool = False, by_reference: bool = False) -> dict[str, Any]:
    state = client.app.state.ecert  # type: ignore[attr-defined]
    agency = state.registry.get(type_ids[0]).agency.id
    person = person_with_record(state, type_ids[0])
    response = client.post(
        "/v1/admin/offers",
        json={"type_ids": type_ids, "person_id": person.person_id, "tx_code": tx_code, "by_reference": by_reference},
        headers={"Authorization": f"Bearer {_operator_key(client, agency)}"},
    )
    assert response.status_code == 201, response.text
    return response.json()

# --- the wallet: HTTP, cryptography, pyjwt, sd_jwt, json only ---------------------------
class Wallet:
    def __init__(self, client: TestClient, alg: str = "ES256") -> None:
        self.client = client
        self.alg = alg
        self.key: Any = ec.generate_private_key(ec.SECP256R1()) if alg == "ES256" else ed25519.Ed25519PrivateKey.generate()

    @property
    def jwk(self) -> dict[str, Any]:
        algorithm = jwt.algorithms.ECAlgorithm if self.alg == "ES256" else jwt.algorithms.OKPAlgorithm
        return algorithm.to_jwk(self.key.public_key(), as_dict=True)  # type: ignore[attr-defined]

    def read_offer(self, offer_uri: str) -> dict[str, Any]:
        query = parse_qs(urlparse(offer_uri).query)
        if "credential_offer" in query:
            return json.loads(query["credential_offer"][0])
        return self.client.get(urlparse(query["credential_offer_uri"][0]).path).json()

    def token(self, offer: dict[str, Any], tx_code: str | None = None) -> Any:
        form = {"grant_type": PRE_AUTH, "pre-authorized_code": offer["grants"][PRE_AUTH]["pre-authorized_code"]}
        if tx_code is not None:
            form["tx_code"] = tx_code
        return self.client.post("/token", data=form)

    def nonce(self) -> str:
        response = self.client.post("/nonce")
        assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
        return response.json()["c_nonce"]

    def proof(self, nonce: str | None, *, aud: str = ISSUER, iat: int | None = None, headers: dict[str, Any] | None = None,
              key: Any = None) -> str:
        payload: dict[str, Any] = {"aud": aud, "iat": int(time.time()) if iat is None else iat}
        if nonce is not None:
            payload["nonce"] = nonce
        header = {"typ": "openid4vci-proof+jwt", "jwk": self.jwk, **(headers or {})}
        header = {k: v for k, v in header.items() if v is not None}
        return jwt.encode(payload, key or self.key, algorithm=self.alg, headers=header)

    def credential(self, access_token: str | None, configuration_id: str, proof: str) -> Any:
        headers = {"Authorization": f"Bearer {access_token}"} if access_token else {}
        body = {"credential_configuration_id": configuration_id, "proofs": {"jwt": [proof]}}
        return self.client.post("/credential", json=body, headers=headers)

    def fetch(self, offer_uri: str, configuration_id: str, tx_code: str | None = None) -> str:
        offer = self.read_offer(offer_uri)
        token = self.token(offer, tx_code)
        assert token.status_code == 200, token.text
        response = self.credential(token.json()["access_token"], configuration_id, self.proof(self.nonce()))
        assert response.status_code == 200, response.text
        return response.json()["credentials"][0]["credential"]

    def present_and_verify(self, credential: str, disclose: dict[str, Any]) -> dict[str, Any]:
        """Present with key binding and verify with the IETF reference implementation."""
        issuer = self.client.get("/.well-known/jwt-vc-issuer").json()
        keys = {k["kid"]: JWK(**k) for k in issuer["jwks"]["keys"]}
        holder = SDJWTHolder(credential)
        holder.create_presentation(disclose, nonce="rp-nonce", aud="https://bank.example",
                                   holder_key=JWK.from_pyca(self.key), sign_alg=self.alg)
        verifier = SDJWTVerifier(holder.sd_jwt_presentation, lambda iss, header: keys[header["kid"]],
                                 expected_aud="https://bank.example", expected_nonce="rp-nonce")
        return verifier.get_verified_payload()
