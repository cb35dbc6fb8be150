"""A holder can never read, present or delete another holder's things: 404 on every route."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.wallet_app import ABSTRACT, MobileApp, bank_request, person_with_types, register_bank


def _two_holders(client: TestClient) -> tuple[MobileApp, str, str, MobileApp, str]:
    alice = MobileApp(client, person_with_types(client, 1, skip=0)[0])
    bob = MobileApp(client, person_with_types(client, 1, skip=1)[0])
    devices = {}
    for app in (alice, bob):
        app.enrol()
        devices[id(app)] = app.register_device()
        app.sign_in(devices[id(app)])
    credential = alice.obtain(ABSTRACT, devices[id(alice)])["id"]
    bob.obtain(ABSTRACT, devices[id(bob)])
    return alice, devices[id(alice)], credential, bob, devices[id(bob)]


def test_other_holders_ids_are_not_found_everywhere(client: TestClient) -> None:
    alice, alice_phone, alice_credential, bob, bob_phone = _two_holders(client)
    api_key, _ = register_bank(client)

    # alice resolves a request: that consent is hers
    request = bank_request(client, api_key, ["name"])
    alice_consent = client.post("/v1/wallet/presentations/resolve", json={"uri": request["uri"]}, headers=alice.auth).json()
    consent_id = alice_consent["consent_id"]
    # bob's resolved request for the same bank, to try alice's credential in
    bob_request = bank_request(client, api_key, ["name"])
    bob_consent = client.post("/v1/wallet/presentations/resolve", json={"uri": bob_request["uri"]}, headers=bob.auth).json()
    assert bob_consent["credentials"][0]["candidates"] and all(
        c["credential_id"] != alice_credential for c in bob_consent["credentials"][0]["candidates"]
    )

    attempts = [
        ("GET", f"/v1/wallet/credentials/{alice_credential}", None),
        ("DELETE", f"/v1/wallet/credentials/{alice_credential}", None),
        ("DELETE", f"/v1/holders/me/devices/{alice_phone}", None),
        ("POST", f"/v1/wallet/presentations/{consent_id}/prepare", {"credential_ids": [alice_credential], "device_id": alice_phone}),
        ("POST", f"/v1/wallet/presentations/{consent_id}/submit", {"kb_jwt_signature": "AAAA"}),
        (
            "POST",
            f"/v1/wallet/presentations/{bob_consent['consent_id']}/prepare",
            {"credential_ids": [alice_credential], "device_id": alice_phone},
        ),
        ("POST", "/v1/wallet/share-links", {"credential_id": alice_credential, "claims": ["name"]}),
        ("POST", "/v1/wallet/share-links", {"credential_id": alice_credential, "claims": ["name"], "device_id": bob_phone}),
        ("POST", "/v1/wallet/credentials", {"type_id": ABSTRACT, "device_id": alice_phone}),
    ]
    for method, path, body in attempts:
        r = client.request(method, path, json=body, headers=bob.auth)
        assert r.status_code == 404, (method, path, r.status_code, r.text)
        assert r.json()["code"] == "not_found"

    # nothing of alice's leaks into bob's lists, and alice's things are intact
    assert all(c["id"] != alice_credential for c in client.get("/v1/wallet/credentials", headers=bob.auth).json())
    assert all(d["id"] != alice_phone for d in client.get("/v1/holders/me/devices", headers=bob.auth).json())
    assert client.get("/v1/wallet/submissions", headers=bob.auth).json() == []
    assert client.get(f"/v1/wallet/credentials/{alice_credential}", headers=alice.auth).status_code == 200
    assert client.get("/v1/holders/me/devices", headers=alice.auth).json()[0]["revoked_at"] is None


def test_holder_routes_need_a_device_token(client: TestClient) -> None:
    app = MobileApp(client, person_with_types(client, 1)[0])
    app.enrol()
    routes = [
        ("GET", "/v1/wallet/credentials"),
        ("GET", "/v1/wallet/credentials/x"),
        ("DELETE", "/v1/wallet/credentials/x"),
        ("POST", "/v1/wallet/credentials"),
        ("POST", "/v1/wallet/credentials/import"),
        ("GET", "/v1/holders/me/devices"),
        ("DELETE", "/v1/holders/me/devices/x"),
        ("POST", "/v1/wallet/presentations/resolve"),
        ("POST", "/v1/wallet/presentations/x/prepare"),
        ("POST", "/v1/wallet/presentations/x/submit"),
        ("POST", "/v1/wallet/share-links"),
        ("GET", "/v1/wallet/submissions"),
    ]
    for headers in ({}, {"Authorization": "Bearer ecwt_made-up"}, {"Authorization": f"Bearer {app.enrolment_token}"}):
        for method, path in routes:
            r = client.request(method, path, json={}, headers=headers)
            assert r.status_code == 401, (method, path, headers, r.text)
