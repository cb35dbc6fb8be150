"""The mobile app as the tests play it, over the app's real HTTP routes.

``MobileApp`` holds the device private keys (the server never sees them) and signs sign-in
proofs and KB-JWTs itself; the helpers find synthetic people with records and register a bank.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from issuers.adapters.base import Subject
from issuers.pipeline import vct_for
from keys.b64 import b64url_encode
from keys.jws import Signer
from tests.issuing_helpers import device_signer
from verifiers.relying_parties import register_relying_party
from wallet_api.wallet.models import StoredCredential
from wallet_api.wallet.sealing import open_text

ABSTRACT = "resident_registration_abstract"
#: tried in order for a person's second and third certificates
OTHER_TYPES = ("health_insurance_eligibility", "national_pension_membership", "local_tax_payment", "national_tax_payment")
SIGN_IN_TYP = "ecert-sign-in+jwt"
DEVICE_REGISTRATION_TYP = "ecert-device-registration+jwt"


class MobileApp:
    def __init__(self, client: TestClient, person: Any) -> None:
        self.client = client
        self.person = person
        self.keys: dict[str, Signer] = {}
        self.token: str | None = None
        self.enrolment_token: str | None = None
        self.holder_id: str | None = None

    @property
    def auth(self) -> dict[str, str]:
        assert self.token is not None
        return {"Authorization": f"Bearer {self.token}"}

    def enrol(self) -> dict[str, Any]:
        assertion = self.client.post("/v1/dev/identity-assertions", json={"person_id": self.person.person_id})
        assert assertion.status_code == 200, assertion.text
        r = self.client.post("/v1/holders", json={"identity_assertion": assertion.json()["identity_assertion"]})
        assert r.status_code in (200, 201), r.text
        self.enrolment_token = r.json()["enrolment_token"]
        self.holder_id = r.json()["holder_id"]
        return r.json()

    def registration_proof(self, signer: Signer, challenge: dict[str, Any]) -> str:
        """What the app signs with a new device key: it holds the private key of what it registers."""
        payload = {"challenge": challenge["challenge"], "aud": challenge["aud"], "iat": _now(self.client)}
        return signer.sign_compact({"typ": DEVICE_REGISTRATION_TYP}, payload, include_kid=False)

    def register_device(self, name: str = "phone", alg: str = "ES256", signer: Signer | None = None) -> str:
        signer = signer or device_signer(alg)
        token = self.token or self.enrolment_token
        headers = {"Authorization": f"Bearer {token}"}
        challenge = self.client.post("/v1/holders/me/devices/challenge", headers=headers)
        assert challenge.status_code == 200, challenge.text
        body = {"jwk": signer.public_jwk, "name": name, "proof": self.registration_proof(signer, challenge.json())}
        r = self.client.post("/v1/holders/me/devices", json=body, headers=headers)
        assert r.status_code == 201, r.text
        self.keys[r.json()["id"]] = signer
        return r.json()["id"]

    def sign_in_proof(self, device_id: str, challenge: dict[str, Any]) -> str:
        payload = {"challenge": challenge["challenge"], "aud": challenge["aud"], "iat": _now(self.client)}
        return self.keys[device_id].sign_compact({"typ": SIGN_IN_TYP, "kid": device_id}, payload)

    def sign_in(self, device_id: str) -> str:
        challenge = self.client.post("/v1/auth/challenge").json()
        r = self.client.post("/v1/auth/token", json={"proof": self.sign_in_proof(device_id, challenge), "device_id": device_id})
        assert r.status_code == 200, r.text
        self.token = r.json()["access_token"]
        return self.token

    def obtain(self, type_id: str, device_id: str) -> dict[str, Any]:
        r = self.client.post("/v1/wallet/credentials", json={"type_id": type_id, "device_id": device_id}, headers=self.auth)
        assert r.status_code == 201, r.text
        return r.json()

    def sign_items(self, prepared: dict[str, Any], device_id: str) -> dict[str, str]:
        signer = self.keys[device_id]
        return {
            item["credential_id"]: b64url_encode(signer.sign(item["signing_input"].encode("ascii"))) for item in prepared["items"]
        }

    def present(self, uri: str, credential_ids: list[str], device_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """resolve → prepare → sign on the device → submit; returns (resolved, submitted)."""
        resolved = self.client.post("/v1/wallet/presentations/resolve", json={"uri": uri}, headers=self.auth)
        assert resolved.status_code == 200, resolved.text
        consent_id = resolved.json()["consent_id"]
        prepared = self.client.post(
            f"/v1/wallet/presentations/{consent_id}/prepare",
            json={"credential_ids": credential_ids, "device_id": device_id},
            headers=self.auth,
        )
        assert prepared.status_code == 200, prepared.text
        submitted = self.client.post(
            f"/v1/wallet/presentations/{consent_id}/submit",
            json={"kb_jwt_signatures": self.sign_items(prepared.json(), device_id)},
            headers=self.auth,
        )
        assert submitted.status_code == 200, submitted.text
        return resolved.json(), submitted.json()


def _now(client: TestClient) -> int:
    return client.app.state.ecert.clock.epoch()  # type: ignore[attr-defined]


def person_with_types(client: TestClient, count: int = 3, skip: int = 0) -> tuple[Any, list[str]]:
    """A synthetic person with an abstract and ``count - 1`` other certificates to get."""
    state = client.app.state.ecert  # type: ignore[attr-defined]
    adapters = state.adapters
    found = 0
    for person in state.population.people():
        types = [ABSTRACT] + [
            t for t in OTHER_TYPES if adapters[state.registry.get(t).adapter].has_record(state.registry.get(t), Subject(rrn=person.rrn))
        ]
        if len(types) >= count:
            if found == skip:
                return person, types[:count]
            found += 1
    raise AssertionError("nobody has enough certificates")


def register_bank(client: TestClient, *, name: str = "KB Kookmin Bank", allowed: dict[str, list[str]] | None = None) -> tuple[str, str]:
    """(api key, client_id) of a registered bank allowed the abstract's name and address."""
    state = client.app.state.ecert  # type: ignore[attr-defined]
    with Session(state.engine) as session:
        registered = register_relying_party(
            session,
            name=name,
            allowed=allowed or {ABSTRACT: ["name", "current_address", "resident_registration_number"]},
            purpose="계좌 개설 본인 확인 (account opening)",
            registry=state.registry,
            sealer=state.sealer,
            now=state.clock.now(),
        )
    return registered.api_key, registered.relying_party.client_id


def bank_request(client: TestClient, api_key: str, claims: list[str]) -> dict[str, Any]:
    vct = vct_for(client.app.state.ecert.settings.issuer_id, ABSTRACT)  # type: ignore[attr-defined]
    dcql = {
        "credentials": [
            {"id": "abstract", "format": "dc+sd-jwt", "meta": {"vct_values": [vct]}, "claims": [{"path": [c]} for c in claims]}
        ]
    }
    r = client.post(
        "/v1/presentation-requests",
        json={"dcql_query": dcql, "purpose": "계좌 개설 (account opening)"},
        headers={"Authorization": f"Bearer {api_key}"},
    )
    assert r.status_code == 201, r.text
    return r.json()


def stored_sd_jwt(client: TestClient, credential_id: str) -> str:
    """What a copy kept on the phone would be (read here from the wallet's sealed store)."""
    state = client.app.state.ecert  # type: ignore[attr-defined]
    with Session(state.engine) as session:
        row = session.get(StoredCredential, credential_id)
        assert row is not None
        return open_text(state.sealer, row.sealed_credential, table="wallet_stored_credential", row_id=row.id, field="credential")
