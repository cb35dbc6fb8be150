"""Every answer that carries personal data says ``Cache-Control: no-store`` (issue 12): the
wallet's certificates, submissions and shared-link views, a relying party's results, customs
declarations, enrolment, and the console's result API, errors included. Routes without
personal data keep their own caching."""

from __future__ import annotations

import re
import httpx
from fastapi.testclient import TestClient
from sqlmodel import Session

from issuers.models import IssuedCredential
from tests.console_helpers import sign_in
from tests.qr_desk import _declaration
from tests.wallet_app import ABSTRACT, MobileApp, bank_request, person_with_types, register_bank
from wallet_api.clock import FixedClock
from wallet_api.wallet.models import StoredCredential

#: the routes (as patterns) whose every answer must not be stored
PERSONAL = [
    r"/v1/dev/identity-assertions", r"/v1/holders", r"/v1/holders/me/devices(/[^/]+)?",
    r"/v1/wallet/credentials", r"/v1/wallet/credentials/[^/]+",
    r"/v1/wallet/presentations/resolve", r"/v1/wallet/presentations/[^/]+/(prepare|submit)",
    r"/v1/wallet/share-links", r"/v1/shared/[^/]+", r"/v1/wallet/submissions",
    r"/v1/verify", r"/v1/presentation-requests(/[^/]+)?",
    r"/v1/qr/verify", r"/v1/qr/verify-image", r"/v1/documents/[^/]+",
    r"/v1/customs/assessment", r"/v1/customs/declarations(/[^/]+)?",
    r"/console/api/presentation-requests/[^/]+", r"/console/api/document-checks",
]


class Recorder:
    """Every (method, path, status, cache-control) the test client received."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, int, str | None]] = []

    def __call__(self, response: httpx.Response) -> None:
        request = response.request
        self.seen.append((request.method, request.url.path, response.status_code, response.headers.get("cache-control")))

    def personal(self) -> list[tuple[str, str, int, str | None]]:
        return [s for s in self.seen if any(re.fullmatch(p, s[1]) for p in PERSONAL)]


def _walk(client: TestClient, clock: FixedClock) -> None:
    auth_none = {"Authorization": "Bearer nope"}
    person, _ = person_with_types(client, count=1)
    app = MobileApp(client, person)
    app.enrol()
    phone = app.register_device()
    app.sign_in(phone)
    credential = app.obtain(ABSTRACT, phone)["id"]
    assert client.get("/v1/wallet/credentials", headers=app.auth).status_code == 200
    assert client.get(f"/v1/wallet/credentials/{credential}", headers=app.auth).status_code == 200
    assert client.get("/v1/wallet/credentials/" + "0" * 32, headers=app.auth).status_code == 404
    assert client.get("/v1/wallet/credentials", headers=auth_none).status_code == 401
    assert client.get("/v1/holders/me/devices", headers=app.auth).status_code == 200

    # a bank asks, the wallet answers, the bank reads the result
    api_key, client_id = register_bank(client)
    bank = {"Authorization": f"Bearer {api_key}"}
    request = bank_request(client, api_key, ["name"])
    app.present(request["uri"], [credential], phone)
    assert client.get(f"/v1/presentation-requests/{request['id']}", headers=bank).json()["status"] == "done"
    assert client.get("/v1/presentation-requests/" + "0" * 32, headers=bank).status_code == 404
    assert client.post("/v1/verify", json={"presentation": "garbage~", "nonce": "n"}, headers=bank).status_code == 200
    assert client.post("/v1/verify", json={"presentation": "garbage~"}, headers=bank).status_code == 422
    assert client.post("/v1/verify", json={"presentation": "garbage~", "nonce": "n"}, headers=auth_none).status_code == 401

    # a one-time link, viewed
    prepared = client.post("/v1/wallet/share-links", json={"credential_id": credential, "claims": ["name"]}, headers=app.auth).json()
    submitted = client.post(f"/v1/wallet/presentations/{prepared['consent_id']}/submit",
                            json={"kb_jwt_signature": app.sign_items(prepared, phone)[credential]}, headers=app.auth).json()
    path = submitted["link"].removeprefix("https://ecert.test")
    assert client.get(path, headers={"X-Viewing-Code": submitted["viewing_code"]}).status_code == 200
    assert client.get(path, headers={"X-Viewing-Code": submitted["viewing_code"]}).status_code == 410
    assert client.get("/v1/wallet/submissions", headers=app.auth).status_code == 200

    # a customs declaration
    form = _declaration(clock)
    assert client.post("/v1/customs/assessment", json=form, headers=app.auth).status_code == 200
    declared = client.post("/v1/customs/declarations", json=form, headers=app.auth)
    assert declared.status_code == 201, declared.text
    assert client.get("/v1/customs/declarations", headers=app.auth).status_code == 200
    assert client.get(f"/v1/customs/declarations/{declared.json()['declaration']['id']}", headers=app.auth).status_code == 200

    # the desk and the document check
    assert client.post("/v1/qr/verify", json={"text": "KM1:NOTAQR"}, headers=bank).status_code == 200
    junk = client.post("/v1/qr/verify-image", files={"image": ("x.png", b"not an image", "image/png")}, headers=bank)
    assert junk.status_code == 422
    state = client.app.state.ecert  # type: ignore[attr-defined]
    with Session(state.engine) as session:
        record = session.get(IssuedCredential, session.get(StoredCredential, credential).issuer_record_id)  # type: ignore[union-attr]
    assert client.get(f"/v1/documents/{record.document_number}").status_code == 200  # type: ignore[union-attr]

    # the console's result API
    csrf = sign_in(client, api_key)
    assert client.get(f"/console/api/presentation-requests/{request['id']}").status_code == 200
    assert client.get("/console/api/presentation-requests/" + "0" * 32).status_code == 404
    checked = client.post("/console/api/document-checks", json={"number": record.document_number}, headers={"X-CSRF-Token": csrf})  # type: ignore[union-attr]
    assert checked.status_code == 200


def test_personal_data_is_never_stored_by_a_cache(app_client: TestClient, clock: FixedClock) -> None:
    recorder = Recorder()
    app_client.event_hooks = {"request": [], "response": [recorder]}
    _walk(app_client, clock)

    answers = recorder.personal()
    stored = [s for s in answers if s[3] != "no-store"]
    assert stored == []
    # the walk reached every listed route, with successes and errors
    assert all(any(re.fullmatch(p, s[1]) for s in answers) for p in PERSONAL), [
        p for p in PERSONAL if not any(re.fullmatch(p, s[1]) for s in answers)
    ]
    assert {s[2] for s in answers} >= {200, 201, 401, 404, 410, 422}


def test_routes_without_personal_data_keep_their_caching(app_client: TestClient) -> None:
    client = app_client
    for path in ("/v1/types", "/healthz", "/.well-known/jwt-vc-issuer"):
        assert "cache-control" not in client.get(path).headers, path
    assert client.get("/console/static/jsQR.js").headers["cache-control"] == "no-cache"
