"""The mobile app's whole journey through real HTTP (issue 5's "done when")."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from keys.jws import Signer
from keys.sd_jwt import attach_kb_jwt, kb_jwt_signing_input, select_disclosures
from wallet_api.clock import FixedClock
from tests.wallet_app import ABSTRACT, MobileApp, bank_request, person_with_types, register_bank, stored_sd_jwt


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
