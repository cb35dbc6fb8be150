"""Agency operators revoke, suspend and reinstate over HTTP; the status list shows it at once."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from issuers.operators import add_operator
from tests.issuing_helpers import device_signer, issue_for
from tests.status_lists import _status_in_list


@pytest.fixture
def issued(client: TestClient):  # type: ignore[no-untyped-def]
    state = client.app.state.ecert
    with Session(state.engine) as session:
        credential = issue_for(state, session, "resident_registration_abstract", device_signer())
        mois = add_operator(session, name="MOIS desk", agency_id="mois", now=state.clock.now())
        nts = add_operator(session, name="NTS desk", agency_id="nts", now=state.clock.now())
    return credential, mois.api_key, nts.api_key


def test_revoke_suspend_reinstate(client: TestClient, issued) -> None:  # type: ignore[no-untyped-def]
    credential, mois_key, _ = issued
    auth = {"Authorization": f"Bearer {mois_key}"}
    assert _status_in_list(client, credential.status_uri, credential.status_idx) == 0

    r = client.post(f"/v1/admin/credentials/{credential.record_id}/suspend", headers=auth, json={"reason": "investigation_closed"})
    assert r.status_code == 200 and r.json()["status"] == "suspended"
    assert _status_in_list(client, credential.status_uri, credential.status_idx) == 2

    r = client.post(f"/v1/admin/credentials/{credential.record_id}/reinstate", headers=auth, json={"reason": "data_corrected"})
    assert r.json()["status"] == "valid"
    assert _status_in_list(client, credential.status_uri, credential.status_idx) == 0

    r = client.post(f"/v1/admin/credentials/{credential.record_id}/revoke", headers=auth, json={"reason": "fraud", "note": "ticket 42"})
    assert r.json()["status"] == "revoked"
    assert _status_in_list(client, credential.status_uri, credential.status_idx) == 1
    again = client.post(f"/v1/admin/credentials/{credential.record_id}/reinstate", headers=auth, json={"reason": "data_corrected"})
    assert again.status_code == 409 and again.json()["code"] == "conflict"


def test_other_agency_and_anonymous_are_refused(client: TestClient, issued) -> None:  # type: ignore[no-untyped-def]
    credential, _, nts_key = issued
    r = client.post(f"/v1/admin/credentials/{credential.record_id}/revoke", headers={"Authorization": f"Bearer {nts_key}"},
                    json={"reason": "fraud"})
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert client.post(f"/v1/admin/credentials/{credential.record_id}/revoke").status_code == 401
    bad = client.post(f"/v1/admin/credentials/{credential.record_id}/revoke", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.headers["content-type"] == "application/problem+json"
    assert _status_in_list(client, credential.status_uri, credential.status_idx) == 0


def test_unknown_action_is_422(client: TestClient, issued) -> None:  # type: ignore[no-untyped-def]
    credential, mois_key, _ = issued
    r = client.post(f"/v1/admin/credentials/{credential.record_id}/destroy", headers={"Authorization": f"Bearer {mois_key}"},
                    json={"reason": "fraud"})
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"


def test_document_number_check(client: TestClient, issued) -> None:  # type: ignore[no-untyped-def]
    credential, mois_key, _ = issued
    r = client.get(f"/v1/documents/{credential.document_number}")
    body = r.json()
    assert body["genuine"] and body["current"] and body["type_id"] == "resident_registration_abstract"
    assert "name" not in body and "claims" not in body
    client.post(f"/v1/admin/credentials/{credential.record_id}/revoke", headers={"Authorization": f"Bearer {mois_key}"},
                json={"reason": "holder_request"})
    assert client.get(f"/v1/documents/{credential.document_number.replace('-', '')}").json()["status"] == "revoked"
    assert client.get("/v1/documents/0000-0000-0000-0000").status_code == 404
    assert client.get("/v1/documents/12ab").status_code == 422
    assert client.get("/status-lists/unknown").status_code == 404


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


def test_document_check_page_for_a_browser(client: TestClient, issued) -> None:  # type: ignore[no-untyped-def]
    credential, mois_key, _ = issued
    path = f"/v1/documents/{credential.document_number}"
    page = client.get(path, headers={"Accept": BROWSER_ACCEPT})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    for text in ("유효한 증명서입니다", "This certificate is valid", "주민등록표 초본", "행정안전부", credential.document_number):
        assert text in page.text, text
    assert "<script" not in page.text
    # programs still get JSON, whatever else they accept
    assert client.get(path, headers={"Accept": "application/json, text/html"}).json()["genuine"] is True
    assert client.get(path).json()["genuine"] is True

    client.post(f"/v1/admin/credentials/{credential.record_id}/revoke", headers={"Authorization": f"Bearer {mois_key}"},
                json={"reason": "holder_request"})
    revoked = client.get(path, headers={"Accept": BROWSER_ACCEPT})
    assert "취소된 증명서입니다" in revoked.text and "This certificate has been revoked" in revoked.text

    missing = client.get("/v1/documents/0000-0000-0000-0000", headers={"Accept": BROWSER_ACCEPT})
    assert missing.status_code == 404 and "No certificate was issued" in missing.text


def test_document_page_escapes_what_it_shows() -> None:
    from wallet_api.qr.document_page import document_not_found_page

    assert "<b>" not in document_not_found_page("<b>1</b>") and "&lt;b&gt;" in document_not_found_page("<b>1</b>")
