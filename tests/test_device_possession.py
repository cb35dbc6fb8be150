"""Device keys are registered with proof of possession, and a key bound to another person
stays theirs (issue 12, High).

The attack as it worked: a holder who had seen someone's ``cnf.jwk`` (any relying party
that received one presentation has) registered it as a "device", then revoked that person's
certificates by deleting the device and imported that person's certificate as their own.
The victim here is an outside wallet that got its credential over OpenID4VCI.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, hmac
from fastapi.testclient import TestClient

from keys.b64 import b64url_decode, b64url_encode
from keys.jws import Signer
from tests.issuing_helpers import device_signer, person_with_record
from tests.status_lists import _status_in_list
from tests.live_server import LiveServer, post
from tests.oid4vci_wallet import ABSTRACT, Wallet, _offer_over_admin_api
from tests.wallet_app import DEVICE_REGISTRATION_TYP, SIGN_IN_TYP, MobileApp, bank_request, person_with_types, register_bank
from wallet_api.clock import FixedClock

DEVICES = "/v1/holders/me/devices"
CHALLENGE = "/v1/holders/me/devices/challenge"


def _claims(credential: str) -> dict[str, Any]:
    return json.loads(b64url_decode(credential.split("~", 1)[0].split(".")[1]))


def _status(client: TestClient, credential: str) -> int:
    status = _claims(credential)["status"]["status_list"]
    return _status_in_list(client, status["uri"], status["idx"])


def _victim(client: TestClient) -> Any:
    """The person ``_offer_over_admin_api`` makes offers for."""
    return person_with_record(client.app.state.ecert, ABSTRACT)  # type: ignore[attr-defined]


def _holder(client: TestClient, skip: int, *, signed_in: bool = True) -> MobileApp:
    """A holder who is not the victim (skip 0, 1, 2: three different people)."""
    people = [p for p in (person_with_types(client, 1, skip=i)[0] for i in range(4)) if p.rrn != _victim(client).rrn]
    app = MobileApp(client, people[skip])
    app.enrol()
    if signed_in:
        app.sign_in(app.register_device())
    return app


def _outside_credential(client: TestClient, wallet: Wallet) -> str:
    """The victim's certificate, fetched over OpenID4VCI (pre-authorized code) by an outside wallet."""
    return wallet.fetch(_offer_over_admin_api(client, [ABSTRACT])["offer_uri"], ABSTRACT)


def _wallet_signer(wallet: Wallet) -> Signer:
    return Signer.from_private_key(wallet.key)


def _register(client: TestClient, app: MobileApp, jwk: dict[str, Any], proof: str | None) -> Any:
    body: dict[str, Any] = {"jwk": jwk, "name": "claimed"}
    if proof is not None:
        body["proof"] = proof
    return client.post(DEVICES, json=body, headers=app.auth)


def _challenge(client: TestClient, app: MobileApp) -> dict[str, Any]:
    response = client.post(CHALLENGE, headers=app.auth)
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    return response.json()


# --- the attack, over HTTP, against an outside wallet's OpenID4VCI credential ------------
def test_someone_elses_wallet_key_cannot_be_registered_revoked_or_imported(client: TestClient) -> None:
    victim = Wallet(client)
    credential = _outside_credential(client, victim)
    seen_jwk = _claims(credential)["cnf"]["jwk"]  # what every relying party that saw it holds
    assert _status(client, credential) == 0

    attacker = _holder(client, skip=1)
    own_devices = client.get(DEVICES, headers=attacker.auth).json()

    # the bare public key, as before: no proof
    refused = _register(client, attacker, seen_jwk, None)
    assert refused.status_code == 400 and refused.json()["code"] == "device_proof_required"
    assert refused.headers["content-type"] == "application/problem+json"
    # a proof the attacker can make: signed by their own key, not the one they claim
    forged = attacker.registration_proof(device_signer(), _challenge(client, attacker))
    refused = _register(client, attacker, seen_jwk, forged)
    assert refused.status_code == 400 and refused.json()["code"] == "device_proof_invalid"
    # even holding the private key, the key is the victim's: bound to their credential
    genuine = attacker.registration_proof(_wallet_signer(victim), _challenge(client, attacker))
    refused = _register(client, attacker, seen_jwk, genuine)
    assert refused.status_code == 409 and refused.json()["code"] == "device_key_bound"
    assert client.get(DEVICES, headers=attacker.auth).json() == own_devices

    # revoking every device the attacker has leaves the victim's credential alone
    for device in own_devices:
        assert client.delete(f"{DEVICES}/{device['id']}", headers=attacker.auth).status_code == 200
    attacker.token = None
    attacker.enrol()
    attacker.sign_in(attacker.register_device("second phone"))
    # and the victim's credential is not theirs to import (not bound to any of their keys)
    imported = client.post("/v1/wallet/credentials/import", json={"credential": credential}, headers=attacker.auth)
    assert imported.status_code == 400 and imported.json()["code"] == "holder_binding_failed"
    assert client.get("/v1/wallet/credentials", headers=attacker.auth).json() == []

    assert _status(client, credential) == 0
    assert victim.present_and_verify(credential, {"name": True})["iss"] == "https://ecert.test"


def test_a_key_holding_another_persons_credential_revokes_and_imports_only_its_holders(client: TestClient) -> None:
    """A holder's registered phone key also fetched someone else's certificate over
    OpenID4VCI (a parent's phone, a child's certificate): deleting the device revokes the
    holder's own credentials only, and the other person's cannot be imported."""
    phone_wallet = Wallet(client)
    holder = _holder(client, 0, signed_in=False)
    phone = holder.register_device(signer=_wallet_signer(phone_wallet))
    holder.sign_in(phone)
    own = holder.obtain(ABSTRACT, phone)
    # the offer is for another person (the first with a record), redeemed with the phone's key
    others = _outside_credential(client, phone_wallet)
    assert _claims(others)["cnf"]["jwk"] == client.get(DEVICES, headers=holder.auth).json()[0]["public_jwk"]

    imported = client.post("/v1/wallet/credentials/import", json={"credential": others}, headers=holder.auth)
    assert imported.status_code == 403 and imported.json()["code"] == "not_your_credential"
    assert [c["id"] for c in client.get("/v1/wallet/credentials", headers=holder.auth).json()] == [own["id"]]

    # another holder who got hold of the phone's private key still cannot register it
    other = _holder(client, skip=1)
    taken = _register(client, other, phone_wallet.jwk, other.registration_proof(_wallet_signer(phone_wallet), _challenge(client, other)))
    assert taken.status_code == 409 and taken.json()["code"] == "device_key_bound"

    tablet = holder.register_device("tablet")
    holder.sign_in(tablet)
    assert client.delete(f"{DEVICES}/{phone}", headers=holder.auth).status_code == 200
    # the holder's own credential under that key is revoked; the other person's is not
    assert client.get(f"/v1/wallet/credentials/{own['id']}", headers=holder.auth).json()["state"] == "revoked"
    assert _status(client, others) == 0


def test_own_outside_credential_key_can_become_a_device(client: TestClient) -> None:
    """A key that fetched the holder's *own* certificate over OpenID4VCI is theirs to register."""
    wallet = Wallet(client)
    credential = _outside_credential(client, wallet)
    holder = MobileApp(client, _victim(client))  # the person the offer was for
    holder.enrol()
    phone = holder.register_device(signer=_wallet_signer(wallet))
    holder.sign_in(phone)
    imported = client.post("/v1/wallet/credentials/import", json={"credential": credential}, headers=holder.auth)
    assert imported.status_code == 201, imported.text
    assert imported.json()["device_id"] == phone


# --- the proof: every defect refused with its code, nothing registered ------------------
def _proof(app: MobileApp, signer: Signer, challenge: dict[str, Any], case: str, other: MobileApp) -> str:
    if case == "another holder's challenge":
        return app.registration_proof(signer, _challenge(app.client, other))
    if case == "signed by another key":
        return app.registration_proof(device_signer(), challenge)
    payload = {"challenge": challenge["challenge"], "aud": challenge["aud"], "iat": app.client.app.state.ecert.clock.epoch()}  # type: ignore[attr-defined]
    header: dict[str, Any] = {"typ": DEVICE_REGISTRATION_TYP}
    if case == "wrong aud":
        payload["aud"] = "https://ecert.test/v1/auth/token"
    elif case == "stale iat":
        payload["iat"] -= 3600
    elif case == "no challenge":
        del payload["challenge"]
    elif case == "sign-in typ":
        header["typ"] = SIGN_IN_TYP
    elif case == "header jwk":
        header["jwk"] = signer.public_jwk
    elif case in ("alg none", "HS256"):
        alg = "none" if case == "alg none" else "HS256"
        signing_input = f"{b64url_encode(json.dumps({**header, 'alg': alg}).encode())}.{b64url_encode(json.dumps(payload).encode())}"
        if alg == "none":
            return signing_input + "."
        # the classic confusion: the public key's JSON as the HMAC secret
        mac = hmac.HMAC(json.dumps(signer.public_jwk).encode(), hashes.SHA256())
        mac.update(signing_input.encode())
        return f"{signing_input}.{b64url_encode(mac.finalize())}"
    elif case == "not a JWS":
        return "not-a-jws"
    else:
        raise AssertionError(case)
    return signer.sign_compact(header, payload, include_kid=False)


BAD_PROOFS = {
    "signed by another key": "device_proof_invalid",
    "another holder's challenge": "device_challenge_invalid",
    "wrong aud": "device_proof_invalid",
    "stale iat": "device_proof_invalid",
    "no challenge": "device_proof_invalid",
    "sign-in typ": "device_proof_invalid",
    "header jwk": "device_proof_invalid",
    "alg none": "device_proof_invalid",
    "HS256": "device_proof_invalid",
    "not a JWS": "device_proof_invalid",
}


@pytest.mark.parametrize("case", list(BAD_PROOFS))
def test_bad_registration_proof_is_refused_and_nothing_registered(client: TestClient, case: str) -> None:
    app, other = _holder(client, skip=0), _holder(client, skip=1)
    before = client.get(DEVICES, headers=app.auth).json()
    signer = device_signer()
    challenge = _challenge(client, app)
    refused = _register(client, app, signer.public_jwk, _proof(app, signer, challenge, case, other))
    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == BAD_PROOFS[case]
    assert client.get(DEVICES, headers=app.auth).json() == before
    # the failure spent nothing: a good proof over the same challenge registers the key
    accepted = _register(client, app, signer.public_jwk, app.registration_proof(signer, challenge))
    assert accepted.status_code == 201, accepted.text


def test_registration_challenge_is_single_use(client: TestClient) -> None:
    app = _holder(client, skip=0)
    challenge = _challenge(client, app)
    first, second = device_signer(), device_signer("EdDSA")
    assert _register(client, app, first.public_jwk, app.registration_proof(first, challenge)).status_code == 201
    replayed = _register(client, app, second.public_jwk, app.registration_proof(second, challenge))
    assert replayed.status_code == 400 and replayed.json()["code"] == "replayed"


def test_registration_challenge_expires(app_client: TestClient, clock: FixedClock) -> None:
    client = app_client
    app = _holder(client, 0, signed_in=False)
    auth = {"Authorization": f"Bearer {app.enrolment_token}"}  # the enrolment token may ask too
    challenge = client.post(CHALLENGE, headers=auth).json()
    assert challenge["aud"] == "https://ecert.test" and challenge["typ"] == DEVICE_REGISTRATION_TYP
    clock.advance(client.app.state.ecert.settings.sign_in_challenge_ttl_s + 1)  # type: ignore[attr-defined]
    signer = device_signer()
    late = client.post(DEVICES, json={"jwk": signer.public_jwk, "proof": app.registration_proof(signer, challenge)}, headers=auth)
    assert late.status_code == 400 and late.json()["code"] == "device_challenge_invalid"
    assert client.post(CHALLENGE).status_code == 401


def test_a_holder_keeps_few_open_challenges(client: TestClient) -> None:
    from sqlalchemy import func, select
    from sqlmodel import Session

    from wallet_api.wallet.devices import MAX_OPEN_CHALLENGES
    from wallet_api.wallet.models import DeviceRegistrationChallenge

    app = _holder(client, skip=0)
    challenges = [_challenge(client, app) for _ in range(3 * MAX_OPEN_CHALLENGES)]
    with Session(client.app.state.ecert.engine) as session:  # type: ignore[attr-defined]
        unused = select(func.count()).select_from(DeviceRegistrationChallenge).where(DeviceRegistrationChallenge.used_at.is_(None))  # type: ignore[union-attr]
        assert session.scalar(unused) == MAX_OPEN_CHALLENGES
        # the one spent registering the first phone stays until it expires: a replay still says so
        assert session.scalar(select(func.count()).select_from(DeviceRegistrationChallenge)) == MAX_OPEN_CHALLENGES + 1
    # the newest one still works
    signer = device_signer()
    assert _register(client, app, signer.public_jwk, app.registration_proof(signer, challenges[-1])).status_code == 201


def test_sign_in_proof_is_not_a_registration_proof(client: TestClient) -> None:
    """The two proofs share their verifier; the typ keeps one from passing for the other."""
    app = _holder(client, skip=0)
    phone = next(iter(app.keys))
    registration = app.registration_proof(app.keys[phone], _challenge(client, app))
    r = client.post("/v1/auth/token", json={"proof": registration, "device_id": phone})
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"


# --- Low: another holder's device id is a 404 on prepare and on share-link creation ------
def test_other_holders_device_id_is_not_found_on_prepare_and_share_link(client: TestClient) -> None:
    alice, bob = _holder(client, skip=0), _holder(client, skip=1)
    alice_phone, bob_phone = next(iter(alice.keys)), next(iter(bob.keys))
    bob_credential = bob.obtain(ABSTRACT, bob_phone)["id"]
    api_key, _ = register_bank(client)
    consent = client.post(
        "/v1/wallet/presentations/resolve", json={"uri": bank_request(client, api_key, ["name"])["uri"]}, headers=bob.auth
    ).json()["consent_id"]
    attempts = [
        (f"/v1/wallet/presentations/{consent}/prepare", {"credential_ids": [bob_credential], "device_id": alice_phone}),
        ("/v1/wallet/share-links", {"credential_id": bob_credential, "claims": ["name"], "device_id": alice_phone}),
        ("/v1/wallet/share-links", {"credential_id": bob_credential, "claims": ["name"], "device_id": "no-such-device"}),
    ]
    for path, body in attempts:
        r = client.post(path, json=body, headers=bob.auth)
        assert r.status_code == 404 and r.json()["code"] == "not_found", (path, r.text)
    # bob's own device still answers
    r = client.post(f"/v1/wallet/presentations/{consent}/prepare", json={"credential_ids": [bob_credential], "device_id": bob_phone},
                    headers=bob.auth)
    assert r.status_code == 200, r.text


# --- another issuer's credential: bound to the importer's device, and naming them --------
OUTSIDE_ISS = "https://pid.example"
OUTSIDE_VCT = OUTSIDE_ISS + "/vct/resident_registration_abstract"
OUTSIDE_STATUS = OUTSIDE_ISS + "/status-lists/1"


def test_outside_issuers_credential_must_name_the_importer(client: TestClient) -> None:
    from issuers.sd_jwt_issuer import issue_sd_jwt, plan_from_paths
    from keys.jws import generate_private_key
    from schemas.status_list import STATUS_LIST_JWT_TYP, STATUS_LIST_MEDIA_TYPE, encode_status_list
    from verifiers.trust import StaticKeys, TrustedIssuer, TrustList
    from wallet_api.wiring.verifier import build_verifier_services

    state = client.app.state.ecert  # type: ignore[attr-defined]
    outside = Signer.from_private_key(generate_private_key("ES256"), kid="pid-1")
    now = state.clock.epoch()
    status_token = outside.sign_compact(
        {"typ": STATUS_LIST_JWT_TYP},
        {"iss": OUTSIDE_ISS, "sub": OUTSIDE_STATUS, "iat": now - 60, "exp": now + 3600, "ttl": 300,
         "status_list": encode_status_list([0, 0, 0, 0])},
    )
    state.verifier = build_verifier_services(
        state,
        trust_list=TrustList([TrustedIssuer(OUTSIDE_ISS, StaticKeys({"pid-1": outside.verification_key()}), {OUTSIDE_VCT: ABSTRACT})]),
        fetch_status=lambda uri: (STATUS_LIST_MEDIA_TYPE, status_token),
    )
    holder = _holder(client, 0)
    phone = next(iter(holder.keys))
    someone_else = _holder(client, 1, signed_in=False).person

    def credential(person: Any) -> str:
        claims = {"name": person.name, "resident_registration_number": person.rrn, "current_address": "서울특별시 종로구 세종대로 209"}
        registered = {
            "iss": OUTSIDE_ISS, "iat": now - 60, "exp": now + 86400, "vct": OUTSIDE_VCT,
            "cnf": {"jwk": holder.keys[phone].public_jwk}, "status": {"status_list": {"idx": 0, "uri": OUTSIDE_STATUS}},
        }
        plan = plan_from_paths([("name",), ("resident_registration_number",), ("current_address",)])
        return issue_sd_jwt(signer=outside, claims=claims, disclosable=plan, registered=registered).compact

    theirs = client.post("/v1/wallet/credentials/import", json={"credential": credential(someone_else)}, headers=holder.auth)
    assert theirs.status_code == 403 and theirs.json()["code"] == "not_your_credential"
    mine = client.post("/v1/wallet/credentials/import", json={"credential": credential(holder.person)}, headers=holder.auth)
    assert mine.status_code == 201, mine.text
    assert mine.json()["issuer"] == OUTSIDE_ISS and mine.json()["device_id"] == phone


# --- one challenge, many workers: exactly one registration spends it ---------------------
def test_registration_challenge_is_single_use_across_workers(live_server: LiveServer) -> None:
    import asyncio
    import time
    from collections import Counter

    import httpx

    person = person_with_record(live_server.state, ABSTRACT)
    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        assertion = http.post("/v1/dev/identity-assertions", json={"person_id": person.person_id}).json()["identity_assertion"]
        token = http.post("/v1/holders", json={"identity_assertion": assertion}).json()["enrolment_token"]
        auth = {"Authorization": f"Bearer {token}"}
        challenge = http.post(CHALLENGE, headers=auth).json()
    signers = [device_signer() for _ in range(12)]

    def body(signer: Signer) -> dict[str, Any]:
        payload = {"challenge": challenge["challenge"], "aud": challenge["aud"], "iat": int(time.time())}
        return {"jwk": signer.public_jwk, "proof": signer.sign_compact({"typ": DEVICE_REGISTRATION_TYP}, payload, include_kid=False)}

    async def race() -> list[httpx.Response]:
        limiter = asyncio.Semaphore(12)
        return await asyncio.gather(*(post(live_server.url, DEVICES, limiter, json=body(s), headers=auth) for s in signers))

    responses = asyncio.run(race())
    assert Counter(r.status_code for r in responses) == {201: 1, 400: 11}
    assert {r.json()["code"] for r in responses if r.status_code == 400} == {"replayed"}
