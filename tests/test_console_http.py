"""The verifier console over plain HTTP (TestClient): sign-in, session expiry, CSRF refusal,
and that pages and the console API carry nothing the relying party was not sent."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from issuers.models import IssuedCredential
from verifiers.models import RelyingParty
from verifiers.oid4vp.presentation_requests import request_uri_of
from wallet_api.app import create_app
from wallet_api.clock import FixedClock
from wallet_api.console.sessions import ConsoleSession
from wallet_api.wallet.models import StoredCredential

from tests.wallet_app import ABSTRACT, MobileApp, person_with_types, register_bank
from tests.console_helpers import login_token, sign_in


COOKIE = "__Host-ecert_console"  # the test app's public_url is https
ABSTRACT_ONLY = {ABSTRACT: ["name", "current_address"]}


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def app_client(settings, clock: FixedClock) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(create_app(settings, clock=clock), base_url="https://ecert.test") as test_client:
        yield test_client


def test_sign_in_page_and_cookie(app_client: TestClient) -> None:
    client = app_client
    assert client.get("/console", follow_redirects=False).headers["location"].startswith("/console/sign-in")
    page = client.get("/console/sign-in")
    assert "로그인" in page.text and "API 키" in page.text
    assert "Sign in" in client.get("/console/sign-in?lang=en").text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    # no third-party reference anywhere on the page
    assert not re.search(r'(src|href)="(https?:)?//', page.text)

    api_key, client_id = register_bank(client, allowed=ABSTRACT_ONLY)
    form = {"api_key": api_key, "csrf_token": login_token(client), "client_id": client_id}
    r = client.post("/console/sign-in", data=form, follow_redirects=False)
    assert r.status_code == 303
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith(COOKIE + "="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict") and "Secure" in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    # only a hash of the cookie is stored
    with Session(client.app.state.ecert.engine) as session:  # type: ignore[attr-defined]
        rows = session.exec(select(ConsoleSession)).all()
    assert len(rows) == 1 and token not in rows[0].id and len(rows[0].id) == 64

    bank = client.get("/console/bank?lang=ko")  # the English page above left its language cookie
    assert bank.status_code == 200 and "KB Kookmin Bank" in bank.text
    # the templates its registration covers, and no other
    assert "계좌 개설" in bank.text and "대출 심사" not in bank.text


def test_sign_in_refusals(app_client: TestClient) -> None:
    client = app_client
    api_key, client_id = register_bank(client, allowed=ABSTRACT_ONLY)
    wrong = client.post("/console/sign-in", data={"api_key": "ecrp_wrong", "csrf_token": login_token(client)})
    assert wrong.status_code == 401 and "올바르지 않거나" in wrong.text
    other_key, other_client_id = register_bank(client, name="Other Bank", allowed=ABSTRACT_ONLY)
    mismatched = client.post(
        "/console/sign-in", data={"api_key": api_key, "client_id": other_client_id, "csrf_token": login_token(client)}
    )
    assert mismatched.status_code == 401
    # login CSRF: a form posted from elsewhere has no matching token
    client.cookies.clear()
    forged = client.post("/console/sign-in", data={"api_key": api_key, "csrf_token": "forged"})
    assert forged.status_code == 403
    assert client.get("/console/bank", follow_redirects=False).status_code == 303


def test_sessions_expire_idle_and_absolute(app_client: TestClient, clock: FixedClock) -> None:
    client = app_client
    settings = client.app.state.ecert.settings  # type: ignore[attr-defined]
    api_key, _ = register_bank(client, allowed=ABSTRACT_ONLY)

    sign_in(client, api_key)
    clock.advance(settings.console_idle_timeout_s - 5)
    assert client.get("/console/bank").status_code == 200  # activity restarts the idle clock
    clock.advance(settings.console_idle_timeout_s)
    expired = client.get("/console/bank", follow_redirects=False)
    assert expired.status_code == 303 and "expired=1" in expired.headers["location"]
    assert client.get("/console/api/presentation-requests/x").status_code == 401
    assert "세션이 만료" in client.get(expired.headers["location"]).text

    # however busy, a sign-in ends at its absolute lifetime
    sign_in(client, api_key)
    step = settings.console_idle_timeout_s - 10
    for _ in range(settings.console_session_ttl_s // step + 2):
        clock.advance(step)
        if client.get("/console/bank", follow_redirects=False).status_code == 303:
            break
    else:
        pytest.fail("the session outlived console_session_ttl_s")
    with Session(client.app.state.ecert.engine) as session:  # type: ignore[attr-defined]
        assert session.exec(select(ConsoleSession)).all() == []


def test_csrf_refused_on_every_write(app_client: TestClient) -> None:
    client = app_client
    api_key, _ = register_bank(client, allowed=ABSTRACT_ONLY)
    csrf = sign_in(client, api_key)
    writes: list[tuple[str, dict[str, Any]]] = [
        ("/console/api/presentation-requests", {"template": "account_opening"}),
        ("/console/api/document-checks", {"number": "1234"}),
        ("/console/api/qr-scans", {"desk": "customs", "text": "KD1:ABC"}),
    ]
    for path, body in writes:
        for headers in ({}, {"X-CSRF-Token": "wrong"}):
            r = client.post(path, json=body, headers=headers)
            assert r.status_code == 403 and r.json()["code"] == "csrf_refused", (path, r.text)
    assert client.post("/console/sign-out", data={"csrf_token": "wrong"}).status_code == 403
    ok = client.post("/console/api/presentation-requests", json={"template": "account_opening"}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201, ok.text
    # another session's token is no good either
    other = TestClient(client.app, base_url="https://ecert.test")
    other_csrf = sign_in(other, api_key)
    assert other_csrf != csrf
    r = client.post("/console/api/presentation-requests", json={"template": "account_opening"}, headers={"X-CSRF-Token": other_csrf})
    assert r.status_code == 403
    # signing out ends the session on the server, not only in the browser
    cookie = client.cookies.get(COOKIE)
    assert client.post("/console/sign-out", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    client.cookies.set(COOKIE, cookie, domain="ecert.test")
    assert client.get("/console/bank", follow_redirects=False).status_code == 303


def test_a_template_outside_the_registration_is_refused(app_client: TestClient) -> None:
    client = app_client
    api_key, _ = register_bank(client, allowed=ABSTRACT_ONLY)
    csrf = sign_in(client, api_key)
    r = client.post("/console/api/presentation-requests", json={"template": "loan"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 404


def test_bank_counter_shows_only_what_was_sent(app_client: TestClient) -> None:
    client = app_client
    person, _types = person_with_types(client, count=1)
    wallet = MobileApp(client, person)
    wallet.enrol()
    phone = wallet.register_device()
    wallet.sign_in(phone)
    credential = wallet.obtain(ABSTRACT, phone)

    api_key, _ = register_bank(client, allowed=ABSTRACT_ONLY)
    csrf = sign_in(client, api_key)
    created = client.post("/console/api/presentation-requests", json={"template": "account_opening"}, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201
    request_id = created.json()["id"]
    qr = client.get(created.json()["qr_svg"])
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
    assert client.get(f"/console/api/presentation-requests/{request_id}").json()["status"] == "pending"

    # the link the QR encodes, as the customer's wallet reads it (the browser test decodes the image)
    state = client.app.state.ecert  # type: ignore[attr-defined]
    with Session(state.engine) as session:
        row = session.exec(select(RelyingParty)).first()
        link = request_uri_of(session, relying_party=row, request_id=request_id, services=state.verifier, now=state.clock.epoch())  # type: ignore[arg-type]
    wallet.present(link, [credential["id"]], phone)

    polled = client.get(f"/console/api/presentation-requests/{request_id}").json()
    api_view = client.get(f"/v1/presentation-requests/{request_id}", headers={"Authorization": f"Bearer {api_key}"}).json()
    # the console shows what the party's API hands back; the result itself is handed over
    # once (to the counter's page here), so the API's later poll says it was collected
    assert polled["result_state"] == "handed_over" and api_view["result_state"] == "collected"
    assert api_view["result"] is None and api_view["outcome"] == polled["outcome"]
    drop = ("result", "result_state")
    assert {k: v for k, v in polled.items() if k not in drop} == {k: v for k, v in api_view.items() if k not in drop}
    answer = polled["result"]["abstract"]
    assert answer["valid"] is True and set(answer["claims"]) == {"name", "current_address"}
    with Session(state.engine) as session:
        stored = session.get(StoredCredential, credential["id"])
        record = session.get(IssuedCredential, stored.issuer_record_id)  # type: ignore[union-attr]
    page = client.get("/console/bank").text
    for secret in (person.rrn, person.rrn[:6], person.birth_date.isoformat(), record.document_number):  # type: ignore[union-attr]
        assert secret not in json.dumps(polled, ensure_ascii=False)
        assert secret not in page

    # another party (its own console session) cannot read this request
    other_key, _ = register_bank(client, name="Other Bank", allowed=ABSTRACT_ONLY)
    other = TestClient(client.app, base_url="https://ecert.test")
    sign_in(other, other_key)
    assert other.get(f"/console/api/presentation-requests/{request_id}").status_code == 404
    assert other.get(f"/console/api/presentation-requests/{request_id}/qr.svg").status_code == 404


def test_document_check(app_client: TestClient) -> None:
    client = app_client
    person, _ = person_with_types(client, count=1)
    wallet = MobileApp(client, person)
    wallet.enrol()
    phone = wallet.register_device()
    wallet.sign_in(phone)
    credential = wallet.obtain(ABSTRACT, phone)
    state = client.app.state.ecert  # type: ignore[attr-defined]
    with Session(state.engine) as session:
        record = session.get(IssuedCredential, session.get(StoredCredential, credential["id"]).issuer_record_id)  # type: ignore[union-attr]
    api_key, _ = register_bank(client, allowed=ABSTRACT_ONLY)
    csrf = sign_in(client, api_key)
    r = client.post("/console/api/document-checks", json={"number": record.document_number}, headers={"X-CSRF-Token": csrf})  # type: ignore[union-attr]
    assert r.status_code == 200
    body = r.json()
    assert body["found"] and body["genuine"] and body["current"] and body["type_name"]["ko"] == "주민등록표 초본"
    # genuine and current, and nothing about whose certificate it is
    text = json.dumps(body, ensure_ascii=False)
    assert person.name not in text and person.rrn not in text
    missing = client.post("/console/api/document-checks", json={"number": "0000-0000-0000-0000"}, headers={"X-CSRF-Token": csrf})
    assert missing.status_code == 200 and missing.json()["found"] is False


def test_static_files_are_a_fixed_list(app_client: TestClient) -> None:
    client = app_client
    js = client.get("/console/static/jsQR.js")
    assert js.status_code == 200 and "Apache License" in js.text[:800]
    assert client.get("/console/static/console.css").headers["content-type"].startswith("text/css")
    for path in ("/console/static/router.py", "/console/static/..%2Frouter.py", "/console/static/jsQR.LICENSE"):
        assert client.get(path).status_code == 404, path


def _lands_on(client: TestClient, api_key: str, client_id: str) -> str:
    form = {"api_key": api_key, "csrf_token": login_token(client), "client_id": client_id}
    r = client.post("/console/sign-in", data=form, follow_redirects=False)
    assert r.status_code == 303
    return r.headers["location"]


def _nav_links(page_html: str) -> list[str]:
    nav = re.search(r"<nav[^>]*>(.*?)</nav>", page_html, re.S)
    assert nav, page_html[:500]
    return re.findall(r'href="(/console/[a-z-]+)"', nav.group(1))


@pytest.mark.parametrize(
    ("allowed", "landing", "shown"),
    [
        # a bank: the counter; documents for everyone
        (ABSTRACT_ONLY, "/console/bank", ["/console/bank", "/console/documents"]),
        # a customs office: the customs desk, no bank counter whose requests would be refused
        ({"customs_declaration": ["declaration_number", "name"]}, "/console/customs", ["/console/customs", "/console/documents"]),
        # a shop: the mobile-ID check (adult check) only
        ({"mobile_driver_licence": ["age_over_19"]}, "/console/mobile-id", ["/console/mobile-id", "/console/documents"]),
    ],
)
def test_each_party_lands_on_its_page_and_sees_only_its_pages(
    app_client: TestClient, allowed: dict[str, list[str]], landing: str, shown: list[str]
) -> None:
    client = app_client
    api_key, client_id = register_bank(client, name="Counter", allowed=allowed)
    assert _lands_on(client, api_key, client_id) == landing
    assert client.get("/console", follow_redirects=False).headers["location"] == landing
    page = client.get(landing)
    assert page.status_code == 200
    assert _nav_links(page.text) == shown
    # a page the party may not use sends it to its own
    for hidden in {"/console/bank", "/console/customs", "/console/mobile-id"} - set(shown):
        answer = client.get(hidden, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == landing, hidden
