"""Issue 16, finding and revoking: an agency's records found by document number, person
(RRN through the keyed hash), type and issue dates, paginated; revoke, suspend and
reinstate by record id or document number with a reason kept on the record."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import typer
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session, select
from typer.testing import CliRunner

from issuers.models import IssuedCredential
from issuers.operators import add_operator
from issuers.pipeline import KST
from tests.issuing_helpers import device_signer, issue_for, person_with_record


ABSTRACT = "resident_registration_abstract"
COPY = "resident_registration_copy"


@pytest.fixture
def records(client: TestClient):  # type: ignore[no-untyped-def]
    """Two people's MOIS records (one person has two types), one NTS record, and keys."""
    state = client.app.state.ecert  # type: ignore[attr-defined]
    alice = person_with_record(state, ABSTRACT)
    bob = person_with_record(state, ABSTRACT, skip=1)
    with Session(state.engine) as session:
        issued = {
            "alice_abstract": issue_for(state, session, ABSTRACT, device_signer(), person=alice),
            "alice_copy": issue_for(state, session, COPY, device_signer(), person=alice),
            "bob_abstract": issue_for(state, session, ABSTRACT, device_signer(), person=bob),
            "nts": issue_for(state, session, "national_tax_payment", device_signer()),
        }
        # bob's record was issued ten days ago
        session.execute(update(IssuedCredential).where(IssuedCredential.id == issued["bob_abstract"].record_id)
                        .values(issued_at=state.clock.now() - timedelta(days=10)))
        session.commit()
        mois = add_operator(session, name="MOIS desk", agency_id="mois", now=state.clock.now())
        nts = add_operator(session, name="NTS desk", agency_id="nts", now=state.clock.now())
    return issued, alice, bob, {"Authorization": f"Bearer {mois.api_key}"}, {"Authorization": f"Bearer {nts.api_key}"}


def _ids(body: dict) -> set[str]:  # type: ignore[type-arg]
    return {r["id"] for r in body["records"]}


def test_find_by_document_person_type_and_dates(client: TestClient, records) -> None:  # type: ignore[no-untyped-def]
    issued, alice, bob, mois, nts = records
    everything = client.get("/v1/admin/credentials", headers=mois).json()
    assert _ids(everything) == {issued[k].record_id for k in ("alice_abstract", "alice_copy", "bob_abstract")}
    assert everything["next_cursor"] is None
    first = everything["records"][0]
    assert {"id", "type_id", "person_ref", "status", "issued_at", "expires_at", "document_number"} <= set(first)
    # never the number itself: the reference is the keyed hash
    assert all(alice.rrn not in json.dumps(r) and bob.rrn not in json.dumps(r) for r in everything["records"])

    by_doc = client.get("/v1/admin/credentials", params={"document": issued["alice_copy"].document_number.replace("-", "")}, headers=mois)
    assert _ids(by_doc.json()) == {issued["alice_copy"].record_id}
    by_person = client.post("/v1/admin/credentials/search", json={"person": alice.rrn}, headers=mois).json()
    assert _ids(by_person) == {issued["alice_abstract"].record_id, issued["alice_copy"].record_id}
    ref = by_person["records"][0]["person_ref"]
    assert _ids(client.get("/v1/admin/credentials", params={"person_ref": ref}, headers=mois).json()) == _ids(by_person)
    assert _ids(client.post("/v1/admin/credentials/search", json={"person": alice.rrn.replace("-", "")}, headers=mois).json()) == _ids(by_person)
    by_type = client.get("/v1/admin/credentials", params={"type": ABSTRACT}, headers=mois).json()
    assert _ids(by_type) == {issued["alice_abstract"].record_id, issued["bob_abstract"].record_id}
    state = client.app.state.ecert  # type: ignore[attr-defined]
    since = (state.clock.now() - timedelta(days=1)).isoformat()
    recent = client.get("/v1/admin/credentials", params={"type": ABSTRACT, "since": since}, headers=mois).json()
    assert _ids(recent) == {issued["alice_abstract"].record_id}
    older = client.get("/v1/admin/credentials", params={"until": since}, headers=mois).json()
    assert _ids(older) == {issued["bob_abstract"].record_id}

    # another agency sees only its own
    assert _ids(client.get("/v1/admin/credentials", headers=nts).json()) == {issued["nts"].record_id}
    assert client.post("/v1/admin/credentials/search", json={"person": alice.rrn}, headers=nts).json()["records"] == []
    bad = client.post("/v1/admin/credentials/search", json={"person": "12345"}, headers=mois)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_input"
    assert client.get("/v1/admin/credentials", params={"cursor": "nonsense"}, headers=mois).status_code == 422
    assert client.get("/v1/admin/credentials").status_code == 401


def test_pages_follow_the_cursor(client: TestClient, records) -> None:  # type: ignore[no-untyped-def]
    issued, _, _, mois, _ = records
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/admin/credentials", params=params, headers=mois).json()
        seen += [r["id"] for r in page["records"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 3 and len(set(seen)) == 3
    assert seen[-1] == issued["bob_abstract"].record_id  # newest first; bob's is oldest


def test_status_changes_need_a_reason_and_keep_it(client: TestClient, records) -> None:  # type: ignore[no-untyped-def]
    issued, _, _, mois, nts = records
    target = issued["alice_abstract"]
    url = f"/v1/admin/credentials/{target.record_id}/suspend"
    missing = client.post(url, headers=mois)
    assert missing.status_code == 422 and missing.json()["code"] == "invalid_input"
    unknown = client.post(url, json={"reason": "because"}, headers=mois)
    assert unknown.status_code == 422
    assert client.post(url, json={"reason": "fraud", "note": "x" * 501}, headers=mois).status_code == 422
    assert client.get("/v1/admin/credentials", params={"document": target.document_number}, headers=mois).json()["records"][0]["status"] == "valid"

    suspended = client.post(url, json={"reason": "court_order", "note": "2026가단123"}, headers=mois).json()
    assert suspended["status"] == "suspended" and suspended["status_reason"] == "court_order"
    assert suspended["status_note"] == "2026가단123" and suspended["status_changed_by"].startswith("operator:")
    # by document check number, with or without hyphens
    doc = target.document_number.replace("-", "")
    reinstated = client.post(f"/v1/admin/credentials/{doc}/reinstate", json={"reason": "data_corrected"}, headers=mois).json()
    assert reinstated["status"] == "valid" and reinstated["status_reason"] == "data_corrected" and reinstated["status_note"] is None
    assert client.get(f"/v1/admin/credentials/{target.document_number}", headers=mois).json()["id"] == target.record_id
    # another agency's document number is reported like a missing one
    assert client.post(f"/v1/admin/credentials/{doc}/revoke", json={"reason": "fraud"}, headers=nts).status_code == 404
    # the reason never reaches the public answers
    public = client.get(f"/v1/documents/{target.document_number}").json()
    assert "data_corrected" not in json.dumps(public)


def test_cli_find_and_revoke_by_document(cli: typer.Typer, client: TestClient, records) -> None:  # type: ignore[no-untyped-def,no-redef]
    issued, alice, _, _, _ = records
    runner = CliRunner()
    found = runner.invoke(cli, ["credentials", "find", "--person", alice.rrn, "--json"])
    assert found.exit_code == 0, found.output
    body = json.loads(found.stdout)
    assert {r["record_id"] for r in body["records"]} == {issued["alice_abstract"].record_id, issued["alice_copy"].record_id}
    assert alice.rrn not in found.stdout
    typed = json.loads(runner.invoke(cli, ["credentials", "find", "--type", ABSTRACT, "--json"]).stdout)
    assert {r["record_id"] for r in typed["records"]} == {issued["alice_abstract"].record_id, issued["bob_abstract"].record_id}
    state = client.app.state.ecert  # type: ignore[attr-defined]
    # --since is a day in Korea: between 15:00 and 24:00 UTC the Korean date is already the next one
    tomorrow = (state.clock.now().astimezone(KST) + timedelta(days=1)).date().isoformat()
    assert json.loads(runner.invoke(cli, ["credentials", "find", "--since", tomorrow, "--json"]).stdout)["records"] == []

    doc = issued["alice_copy"].document_number
    revoked = runner.invoke(cli, ["credentials", "revoke", "--document", doc, "--reason", "holder_request", "--note", "창구 요청", "--json"])
    assert revoked.exit_code == 0, revoked.output
    out = json.loads(revoked.stdout)
    assert out["status"] == "revoked" and out["status_reason"] == "holder_request" and out["status_changed_by"] == "cli"
    again = runner.invoke(cli, ["credentials", "reinstate", issued["alice_copy"].record_id, "--reason", "data_corrected"])
    assert again.exit_code == 1 and "conflict" in again.output
    suspended = runner.invoke(cli, ["credentials", "suspend", issued["bob_abstract"].record_id, "--reason", "fraud", "--json"])
    assert json.loads(suspended.stdout)["status"] == "suspended"
    assert runner.invoke(cli, ["credentials", "suspend", issued["bob_abstract"].record_id, "--reason", "whim"]).exit_code == 1
    assert runner.invoke(cli, ["credentials", "suspend", "--reason", "fraud"]).exit_code == 2
    with Session(state.engine) as session:
        row = session.exec(select(IssuedCredential).where(IssuedCredential.document_number == doc)).one()
        assert (row.status_reason, row.status_note) == ("holder_request", "창구 요청")
