"""The mobile app's whole journey through real HTTP (issue 5's "done when").

``MobileApp`` plays the app: it holds the device private keys (the server never sees them)
and signs sign-in proofs and KB-JWTs itself. Other wallet tests import it from here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from issuers.adapters.base import Subject
from issuers.pipeline import vct_for
from keys.b64 import b64url_encode
from keys.jws import Signer
from keys.sd_jwt import attach_kb_jwt, kb_jwt_signing_input, select_disclosures
from tests.issuing_helpers import device_signer
from verifiers.relying_parties import register_relying_party
from wallet_api.app import create_app
from wallet_api.clock import FixedClock
from wallet_api.wallet.models import StoredCredential
from wallet_api.wallet.sealing import open_text

ABSTRACT = "resident_registration_abstract"
#: tried in order for a person's second and third certificates
OTHER_TYPES = ("health_insurance_eligibility", "national_pension_membership", "local_tax_payment", "national_tax_payment")
SIGN_IN_TYP = "ecert-sign-in+jwt"
DEVICE_REGISTRATION_TYP = "ecert-device-registration+jwt"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def app_client(settings, clock: FixedClock) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """The whole app over HTTP, on a clock the test moves."""
    with TestClient(create_app(settings, clock=clock), base_url="https://ecert.test") as test_client:
        yield test_client


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


def test_mobile_app_journey(app_client: TestClient, clock: FixedClock) -> None:
    client = app_client
    person, types = person_with_types(client)
    app = MobileApp(client, person)

    # enrol → register device → sign in
    assert app.enrol()["created"] is True
    phone = app.register_device("Galaxy")
    app.sign_in(phone)

    # three different certificates, then the list
    obtained = {t: app.obtain(t, phone) for t in types}
    listed = client.get("/v1/wallet/credentials", headers=app.auth).json()
    assert sorted(c["type_id"] for c in listed) == sorted(types)
    assert all(c["state"] == "valid" and c["presentable"] for c in listed)
    only = client.get("/v1/wallet/credentials", params={"type_id": ABSTRACT}, headers=app.auth).json()
    assert [c["id"] for c in only] == [obtained[ABSTRACT]["id"]]

    # one certificate on screen: labels in both languages, the RRN masked
    detail = client.get(f"/v1/wallet/credentials/{obtained[ABSTRACT]['id']}", headers=app.auth).json()
    assert detail["claims"]["name"] == person.name
    assert detail["claims"]["resident_registration_number"].endswith("******")
    assert person.rrn not in json.dumps(detail, ensure_ascii=False)
    assert detail["labels"]["name"] == {"ko": "성명", "en": "Name"}

    # the bank asks for name and address; the wallet shows what is asked and by whom
    api_key, client_id = register_bank(client)
    request = bank_request(client, api_key, ["name", "current_address"])
    resolved, submitted = app.present(request["uri"], [obtained[ABSTRACT]["id"]], phone)
    assert resolved["relying_party"] == {"name": "KB Kookmin Bank", "client_id": client_id}
    assert resolved["purpose"] == "계좌 개설 (account opening)"
    asked = resolved["credentials"][0]
    assert [c["path"] for c in asked["claims"]] == [["name"], ["current_address"]]
    assert asked["claims"][1]["label"] == {"ko": "현 주소", "en": "Current address"}
    assert [c["credential_id"] for c in asked["candidates"]] == [obtained[ABSTRACT]["id"]]
    assert submitted["outcome"] == "delivered"

    # the bank's result: name and address, verified, and no resident registration number
    result = client.get(f"/v1/presentation-requests/{request['id']}", headers={"Authorization": f"Bearer {api_key}"}).json()
    assert result["status"] == "done"
    answer = result["result"]["abstract"]
    assert answer["valid"] is True and answer["match"] == "full", answer
    assert answer["claims"] == {"name": person.name, "current_address": answer["claims"]["current_address"]}
    assert answer["claims"]["current_address"]
    assert "resident_registration_number" not in json.dumps(answer) and person.rrn not in json.dumps(answer)

    # the submission in the history
    history = client.get("/v1/wallet/submissions", headers=app.auth).json()
    assert len(history) == 1
    entry = history[0]
    assert entry["recipient_name"] == "KB Kookmin Bank" and entry["outcome"] == "delivered"
    assert entry["purpose"] == "계좌 개설 (account opening)"
    assert entry["credentials"] == [
        {"credential_id": obtained[ABSTRACT]["id"], "type_id": ABSTRACT, "claims": [["name"], ["current_address"]]}
    ]

    # a second phone, then the first is lost and revoked
    tablet = app.register_device("Tablet")
    old_token = app.token
    app.sign_in(tablet)
    revoked = client.delete(f"/v1/holders/me/devices/{phone}", headers=app.auth)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert client.get("/v1/wallet/credentials", headers={"Authorization": f"Bearer {old_token}"}).status_code == 401
    listed = {c["id"]: c for c in client.get("/v1/wallet/credentials", headers=app.auth).json()}
    assert all(c["state"] == "revoked" and not c["presentable"] for c in listed.values())

    # the next presentation with the lost phone's credentials fails, at the wallet ...
    request = bank_request(client, api_key, ["name", "current_address"])
    resolved = client.post("/v1/wallet/presentations/resolve", json={"uri": request["uri"]}, headers=app.auth).json()
    assert resolved["credentials"][0]["candidates"][0]["presentable"] is False
    refused = client.post(
        f"/v1/wallet/presentations/{resolved['consent_id']}/prepare",
        json={"credential_ids": [obtained[ABSTRACT]["id"]], "device_id": phone},
        headers=app.auth,
    )
    assert refused.status_code == 409 and refused.json()["code"] == "device_revoked"

    # ... and at the bank, even for a thief holding the phone's key and a copy of the credential,
    # once the bank's cached status list has aged out (its ttl)
    clock.advance(client.app.state.ecert.settings.status_list_ttl_s + 1)  # type: ignore[attr-defined]
    sd_jwt = stored_sd_jwt(client, obtained[ABSTRACT]["id"])
    presentation = select_disclosures(sd_jwt, [("name",), ("current_address",)])
    r = client.post("/v1/verify", json=_signed_for(app.keys[phone], presentation, client_id, clock.epoch()), headers={"Authorization": f"Bearer {api_key}"})
    assert r.status_code == 200 and r.json()["valid"] is False and r.json()["code"] == "revoked"

    # re-issuance to the new device works, and that one presents
    reissued = app.obtain(ABSTRACT, tablet)
    request = bank_request(client, api_key, ["name", "current_address"])
    _, submitted = app.present(request["uri"], [reissued["id"]], tablet)
    result = client.get(f"/v1/presentation-requests/{request['id']}", headers={"Authorization": f"Bearer {api_key}"}).json()
    assert result["result"]["abstract"]["valid"] is True


def _signed_for(signer: Signer, presentation: str, audience: str, iat: int) -> dict[str, Any]:
    nonce = "thief-nonce-0123456789"
    header, payload = kb_jwt_signing_input(presentation=presentation, nonce=nonce, aud=audience, iat=iat)
    kb_jwt = signer.sign_compact(header, payload, include_kid=False)
    return {"presentation": attach_kb_jwt(presentation, kb_jwt), "nonce": nonce, "audience": audience}
