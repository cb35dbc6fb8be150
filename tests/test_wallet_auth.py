"""Enrolment, devices and sign-in: the ways in, and the ways they are refused."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from keys.jws import Signer, generate_private_key
from keys.jwk import public_jwk
from tests.issuing_helpers import device_signer
from tests.wallet_app import MobileApp, person_with_types
from wallet_api.app import create_app
from wallet_api.clock import FixedClock


def _assertion(signer: Signer, *, iss: str, person, now: int, **overrides):  # type: ignore[no-untyped-def]
    payload = {
        "iss": iss,
        "aud": "https://ecert.test",
        "iat": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
        "rrn": person.rrn,
        "name": person.name,
        "birth_date": person.birth_date.isoformat(),
        **overrides,
    }
    return signer.sign_compact({"typ": "JWT"}, payload)


def test_replayed_sign_in_challenge_is_refused(client: TestClient) -> None:
    app = MobileApp(client, person_with_types(client, 1)[0])
    app.enrol()
    phone = app.register_device()
    challenge = client.post("/v1/auth/challenge").json()
    proof = app.sign_in_proof(phone, challenge)
    assert client.post("/v1/auth/token", json={"proof": proof, "device_id": phone}).status_code == 200
    again = client.post("/v1/auth/token", json={"proof": proof, "device_id": phone})
    assert again.status_code == 400 and again.json()["code"] == "replayed"
    # a fresh proof over the spent challenge is just as dead
    again = client.post("/v1/auth/token", json={"proof": app.sign_in_proof(phone, challenge), "device_id": phone})
    assert again.json()["code"] == "replayed"


def test_sign_in_needs_the_device_key(client: TestClient) -> None:
    app = MobileApp(client, person_with_types(client, 1)[0])
    app.enrol()
    phone = app.register_device()
    challenge = client.post("/v1/auth/challenge").json()
    stranger = device_signer()
    forged = stranger.sign_compact({"typ": "ecert-sign-in+jwt", "kid": phone}, {"challenge": challenge["challenge"], "aud": challenge["aud"], "iat": 0})
    r = client.post("/v1/auth/token", json={"proof": forged, "device_id": phone})
    assert r.status_code == 401
    # the challenge was not spent by the failed attempt
    assert client.post("/v1/auth/token", json={"proof": app.sign_in_proof(phone, challenge), "device_id": phone}).status_code == 200


def test_expired_access_token_and_challenge(app_client: TestClient, clock: FixedClock) -> None:
    client = app_client
    app = MobileApp(client, person_with_types(client, 1)[0])
    app.enrol()
    phone = app.register_device()
    app.sign_in(phone)
    assert client.get("/v1/wallet/credentials", headers=app.auth).status_code == 200
    settings = client.app.state.ecert.settings  # type: ignore[attr-defined]
    clock.advance(settings.holder_access_token_ttl_s + 1)
    r = client.get("/v1/wallet/credentials", headers=app.auth)
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"

    challenge = client.post("/v1/auth/challenge").json()
    clock.advance(settings.sign_in_challenge_ttl_s + 1)
    r = client.post("/v1/auth/token", json={"proof": app.sign_in_proof(phone, challenge), "device_id": phone})
    assert r.status_code == 401
    app.sign_in(phone)  # a new challenge works
    assert client.get("/v1/wallet/credentials", headers=app.auth).status_code == 200


def test_enrolment_is_unique_per_person_and_assertions_are_single_use(client: TestClient) -> None:
    person = person_with_types(client, 1)[0]
    first = MobileApp(client, person)
    created = first.enrol()
    again = MobileApp(client, person).enrol()
    # the same person again (a lost phone): the same holder, never a second one
    assert again["created"] is False and again["holder_id"] == created["holder_id"]

    assertion = client.post("/v1/dev/identity-assertions", json={"person_id": person.person_id}).json()["identity_assertion"]
    assert client.post("/v1/holders", json={"identity_assertion": assertion}).status_code == 200
    r = client.post("/v1/holders", json={"identity_assertion": assertion})
    assert r.status_code == 400 and r.json()["code"] == "replayed"


def test_nobody_enrols_as_someone_else(client: TestClient) -> None:
    state = client.app.state.ecert  # type: ignore[attr-defined]
    person = person_with_types(client, 1)[0]
    now = state.clock.epoch()
    # an untrusted provider, however well-formed its assertion
    rogue = Signer.from_private_key(generate_private_key("ES256"))
    r = client.post("/v1/holders", json={"identity_assertion": _assertion(rogue, iss="https://rogue.example", person=person, now=now)})
    assert r.status_code == 401 and r.json()["code"] == "identity_assertion_invalid"
    # the dev provider's name on a rogue key
    dev_iss = "https://ecert.test/dev/identity-provider"
    r = client.post("/v1/holders", json={"identity_assertion": _assertion(rogue, iss=dev_iss, person=person, now=now)})
    assert r.json()["code"] == "identity_assertion_invalid"
    # a real provider vouching for a number with another name
    
    dev = state.dev_identity_provider
    signer = dev._signer  # noqa: SLF001 - the test plays the provider
    for overrides in ({"name": "김철수" if person.name != "김철수" else "이영희"}, {"rrn": "000101-3000000"}, {"birth_date": "1900-01-01"}):
        r = client.post("/v1/holders", json={"identity_assertion": _assertion(signer, iss=dev_iss, person=person, now=now, **overrides)})
        assert r.status_code == 403 and r.json()["code"] == "identity_mismatch", overrides
    for overrides in ({"aud": "https://other.example"}, {"exp": now - 120}, {"iat": now - 3600}):
        r = client.post("/v1/holders", json={"identity_assertion": _assertion(signer, iss=dev_iss, person=person, now=now, **overrides)})
        assert r.status_code == 401 and r.json()["code"] == "identity_assertion_invalid", overrides


def test_configured_provider_is_trusted(tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    provider = Signer.from_private_key(generate_private_key("EdDSA"))
    trusted = settings.model_copy(
        update={"identity_providers": [{"issuer": "https://pass.example", "jwks": {"keys": [{**provider.public_jwk, "kid": "k1"}]}}]}
    )
    with TestClient(create_app(trusted), base_url="https://ecert.test") as client:
        person = person_with_types(client, 1)[0]
        now = client.app.state.ecert.clock.epoch()  # type: ignore[attr-defined]
        token = Signer.from_private_key(provider._private_key, kid="k1").sign_compact(  # noqa: SLF001
            {"typ": "JWT"},
            {"iss": "https://pass.example", "aud": "https://ecert.test", "iat": now, "exp": now + 60, "jti": "j-1",
             "rrn": person.rrn, "name": person.name, "birth_date": person.birth_date.isoformat()},
        )
        r = client.post("/v1/holders", json={"identity_assertion": token})
        assert r.status_code == 201, r.text


@pytest.fixture
def production_client(settings) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    prod = settings.model_copy(update={"environment": "production"})
    with TestClient(create_app(prod), base_url="https://ecert.test") as client:
        yield client


def test_dev_identity_provider_is_development_only(production_client: TestClient) -> None:
    client = production_client
    person = person_with_types(client, 1)[0]
    r = client.post("/v1/dev/identity-assertions", json={"person_id": person.person_id})
    assert r.status_code == 404
    # nor is its key trusted in production, even for an assertion made elsewhere
    from wallet_api.wallet.dev_identity_provider import DevIdentityProvider

    state = client.app.state.ecert  # type: ignore[attr-defined]
    assertion = DevIdentityProvider(state.settings).assert_identity(person, now=state.clock.now())
    r = client.post("/v1/holders", json={"identity_assertion": assertion})
    assert r.status_code == 401 and r.json()["code"] == "identity_assertion_invalid"


def test_device_keys_public_only_and_unique(client: TestClient) -> None:
    app = MobileApp(client, person_with_types(client, 1)[0])
    app.enrol()
    auth = {"Authorization": f"Bearer {app.enrolment_token}"}
    private = generate_private_key("ES256")
    jwk = public_jwk(private)
    d = private.private_numbers().private_value.to_bytes(32, "big")  # type: ignore[union-attr]
    from keys.b64 import b64url_encode

    r = client.post("/v1/holders/me/devices", json={"jwk": {**jwk, "d": b64url_encode(d)}}, headers=auth)
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    r = client.post("/v1/holders/me/devices", json={"jwk": {"kty": "RSA", "n": "x", "e": "AQAB"}}, headers=auth)
    assert r.status_code == 422

    def with_proof(signer: Signer) -> dict[str, object]:
        challenge = client.post("/v1/holders/me/devices/challenge", headers=auth).json()
        return {"jwk": signer.public_jwk, "proof": app.registration_proof(signer, challenge)}

    signer = Signer.from_private_key(private)
    assert client.post("/v1/holders/me/devices", json=with_proof(signer), headers=auth).status_code == 201
    again = client.post("/v1/holders/me/devices", json=with_proof(signer), headers=auth)
    assert again.status_code == 409 and again.json()["code"] == "device_key_bound"
    assert "one of your devices" in again.json()["detail"]
    eddsa = device_signer("EdDSA")
    assert client.post("/v1/holders/me/devices", json=with_proof(eddsa), headers=auth).json()["alg"] == "EdDSA"
