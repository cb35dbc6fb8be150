"""Issue 16, an audit trail that shows tampering: every admin action, key event, party
lifecycle event and device revocation is appended to a hash chain whose head is signed by
the issuer key; ``ecert audit verify`` names the first entry changed, removed or reordered."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
import typer
from fastapi.testclient import TestClient
from sqlalchemy import delete, update
from sqlmodel import Session, select
from typer.testing import CliRunner

from issuers.audit_trail import (
    AuditCheckpoint,
    AuditEntry,
    AuditEvent,
    CheckpointPolicy,
    append,
    entry_digest,
    verify_chain,
)
from issuers.operators import add_operator
from keys.jws import VerificationKey, verify_compact
from tests.issuing_helpers import device_signer, issue_for, person_with_record
from tests.admin_cli import run_admin
from tests.wallet_app import MobileApp, register_bank

ABSTRACT = "resident_registration_abstract"


def _entries(client: TestClient) -> list[AuditEntry]:
    state = client.app.state.ecert  # type: ignore[attr-defined]
    with Session(state.engine) as session:
        return list(session.exec(select(AuditEntry).order_by(AuditEntry.seq)))


def _verify(cli: typer.Typer) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = CliRunner().invoke(cli, ["audit", "verify", "--json"])
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture
def busy_chain(client: TestClient, cli: typer.Typer):  # type: ignore[no-untyped-def]  # noqa: F811
    """A chain with every kind of event in it; returns (operator auth, the person issued to)."""
    state = client.app.state.ecert  # type: ignore[attr-defined]
    person = person_with_record(state, ABSTRACT)
    with Session(state.engine) as session:
        mois = add_operator(session, name="MOIS desk", agency_id="mois", now=state.clock.now())
        credential = issue_for(state, session, ABSTRACT, device_signer(), person=person)
    auth = {"Authorization": f"Bearer {mois.api_key}", "X-Request-ID": "req-0001"}
    offer = client.post("/v1/admin/offers", json={"type_ids": [ABSTRACT], "person_id": person.person_id}, headers=auth)
    assert offer.status_code == 201, offer.text
    for action, reason in (("suspend", "investigation_closed"), ("reinstate", "data_corrected"), ("revoke", "fraud")):
        r = client.post(f"/v1/admin/credentials/{credential.record_id}/{action}", json={"reason": reason, "note": "사건 7"}, headers=auth)
        assert r.status_code == 200, r.text
    _, client_id = register_bank(client)
    admin = run_admin(client)
    assert client.post(f"/v1/admin/relying-parties/{client_id}/rotate-key", headers=admin).status_code == 200
    assert client.post(f"/v1/admin/relying-parties/{client_id}/deactivate", headers=admin).status_code == 200
    run_cli = CliRunner().invoke(cli, ["keys", "rotate"])
    assert run_cli.exit_code == 0, run_cli.output
    added = CliRunner().invoke(cli, ["operator", "add", "--name", "NTS", "--agency", "nts", "--json"])
    assert added.exit_code == 0, added.output
    # a holder reports a phone lost from a second device
    app = MobileApp(client, person)
    app.enrol()
    phone = app.register_device("phone")
    app.sign_in(app.register_device("tablet"))
    assert client.delete(f"/v1/holders/me/devices/{phone}", headers=app.auth).status_code == 200
    return auth, person, credential


def test_every_kind_of_event_is_recorded_without_personal_data(client: TestClient, busy_chain) -> None:  # type: ignore[no-untyped-def]
    _, person, credential = busy_chain
    entries = _entries(client)
    actions = [e.action for e in entries]
    assert actions[0] == "key.create"  # at first start
    for expected in ("offer.create", "credential.suspend", "credential.reinstate", "credential.revoke",
                     "relying_party.rotate_key", "relying_party.deactivate", "key.rotate", "key.retire",
                     "operator.add", "device.revoke"):
        assert expected in actions, expected
    revoke = next(e for e in entries if e.action == "credential.revoke")
    assert (revoke.actor.startswith("operator:"), revoke.target, revoke.reason, revoke.agency_id, revoke.request_id) == (
        True, f"credential:{credential.record_id}", "fraud", "mois", "req-0001")
    assert next(e for e in entries if e.action == "device.revoke").actor.startswith("holder:")
    assert next(e for e in entries if e.action == "key.rotate").actor == "cli"
    dumped = json.dumps([e.model_dump() for e in entries], ensure_ascii=False)
    for secret in (person.rrn, person.name, "사건 7"):
        assert secret not in dumped


def test_verify_passes_then_names_an_edited_entry(client: TestClient, cli: typer.Typer, busy_chain) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    code, report = _verify(cli)
    assert code == 0 and report["whole"] and report["entries"] == len(_entries(client)) and report["checkpoints"] >= 1
    victim = next(e for e in _entries(client) if e.action == "credential.revoke")
    state = client.app.state.ecert  # type: ignore[attr-defined]
    with Session(state.engine) as session:
        session.execute(update(AuditEntry).where(AuditEntry.seq == victim.seq).values(reason="holder_request"))
        session.commit()
    code, report = _verify(cli)
    assert code == 1 and report["first_bad_seq"] == victim.seq and "changed" in report["problem"]
    plain = CliRunner().invoke(cli, ["audit", "verify"])
    assert plain.exit_code == 1 and f"entry {victim.seq}" in plain.output


def test_a_rewritten_entry_with_a_fresh_hash_is_still_caught(client: TestClient, cli: typer.Typer, busy_chain) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    victim = next(e for e in _entries(client) if e.action == "credential.suspend")
    victim.actor = "operator:someone-else"
    victim.entry_hash = entry_digest(victim)
    state = client.app.state.ecert  # type: ignore[attr-defined]
    with Session(state.engine) as session:
        session.execute(update(AuditEntry).where(AuditEntry.seq == victim.seq).values(actor=victim.actor, entry_hash=victim.entry_hash))
        session.commit()
    code, report = _verify(cli)
    assert code == 1 and report["first_bad_seq"] == victim.seq


def test_verify_names_a_removed_entry(client: TestClient, cli: typer.Typer, busy_chain) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    victim = next(e for e in _entries(client) if e.action == "credential.revoke")
    state = client.app.state.ecert  # type: ignore[attr-defined]
    with Session(state.engine) as session:
        session.execute(delete(AuditEntry).where(AuditEntry.seq == victim.seq))
        session.commit()
    code, report = _verify(cli)
    assert code == 1 and report["first_bad_seq"] == victim.seq and "removed" in report["problem"]


def test_verify_names_reordered_entries(client: TestClient, cli: typer.Typer, busy_chain) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    entries = _entries(client)
    a, b = entries[3], entries[4]
    state = client.app.state.ecert  # type: ignore[attr-defined]
    with Session(state.engine) as session:  # swap their places in the sequence
        session.execute(update(AuditEntry).where(AuditEntry.seq == a.seq).values(seq=-1))
        session.execute(update(AuditEntry).where(AuditEntry.seq == b.seq).values(seq=a.seq))
        session.execute(update(AuditEntry).where(AuditEntry.seq == -1).values(seq=b.seq))
        session.commit()
    code, report = _verify(cli)
    assert code == 1 and report["first_bad_seq"] == a.seq


def test_verify_names_removed_newest_entries(client: TestClient, cli: typer.Typer, busy_chain) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    last = _entries(client)[-1]
    state = client.app.state.ecert  # type: ignore[attr-defined]
    with Session(state.engine) as session:
        session.execute(delete(AuditEntry).where(AuditEntry.seq >= last.seq - 1))
        session.commit()
    code, report = _verify(cli)
    assert code == 1 and report["first_bad_seq"] == last.seq - 1


def test_checkpoints_are_signed_by_the_issuer_key(client: TestClient, cli: typer.Typer, busy_chain) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    signed = CliRunner().invoke(cli, ["audit", "verify", "--sign", "--json"])
    assert signed.exit_code == 0, signed.output
    state = client.app.state.ecert  # type: ignore[attr-defined]
    with Session(state.engine) as session:
        checkpoints = list(session.exec(select(AuditCheckpoint).order_by(AuditCheckpoint.seq)))
    last = checkpoints[-1]
    assert last.seq == _entries(client)[-1].seq
    # anyone can check a checkpoint with the published JWKS
    jwks = client.get("/.well-known/jwt-vc-issuer").json()["jwks"]["keys"]
    verified = verify_compact(last.jws, lambda h: VerificationKey.from_jwk(next(k for k in jwks if k["kid"] == h["kid"])),
                              expected_typ="ecert-audit-checkpoint+jwt")
    assert verified.payload["seq"] == last.seq and verified.payload["entry_hash"] == _entries(client)[-1].entry_hash

    # a forged checkpoint (right hash, no valid signature) is named
    first = checkpoints[0]
    with Session(state.engine) as session:
        session.execute(update(AuditCheckpoint).where(AuditCheckpoint.seq == first.seq).values(jws=first.jws[:-4] + "AAAA"))
        session.commit()
    code, report = _verify(cli)
    assert code == 1 and report["first_bad_seq"] == first.seq and "signature" in report["problem"]


def test_checkpoint_every_n_entries(session: Session, client: TestClient) -> None:
    state = client.app.state.ecert  # type: ignore[attr-defined]
    policy = CheckpointPolicy(signer=state.signers.active_signer, every_entries=3, every_s=3600)
    session.execute(delete(AuditCheckpoint))
    session.commit()
    now = state.clock.now()
    for i in range(7):
        append(session, AuditEvent(actor="cli", action="test.event", target=f"t:{i}"), now=now + timedelta(seconds=i), policy=policy)
        session.commit()
    seqs = [c.seq for c in session.exec(select(AuditCheckpoint).order_by(AuditCheckpoint.seq))]
    last = max(e.seq for e in session.exec(select(AuditEntry)))
    # the head was last signed at the key.create entry (1): then every third entry
    assert seqs == [s for s in range(2, last + 1) if (s - 1) % 3 == 0]
    assert verify_chain(session).whole


def test_two_writers_never_fork_the_chain(client: TestClient) -> None:
    state = client.app.state.ecert  # type: ignore[attr-defined]
    before = len(_entries(client))
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for i in range(15):
                with Session(state.engine) as session:
                    append(session, AuditEvent(actor="cli", action="test.event", target=f"{name}:{i}"), now=state.clock.now())
                    session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    entries = _entries(client)
    assert len(entries) == before + 30 and [e.seq for e in entries] == list(range(1, len(entries) + 1))
    with Session(state.engine) as session:
        assert verify_chain(session).whole


def test_operators_read_their_agencys_entries(client: TestClient, busy_chain) -> None:  # type: ignore[no-untyped-def]
    auth, _, _ = busy_chain
    page = client.get("/v1/admin/audit", params={"limit": 2}, headers=auth).json()
    assert [e["action"] for e in page["entries"]] == ["credential.revoke", "credential.reinstate"]
    assert all(e["agency_id"] == "mois" for e in page["entries"])
    rest = client.get("/v1/admin/audit", params={"limit": 50, "before": page["next_before"]}, headers=auth).json()
    assert [e["action"] for e in rest["entries"]] == ["credential.suspend", "offer.create"] and rest["next_before"] is None
    state = client.app.state.ecert  # type: ignore[attr-defined]
    with Session(state.engine) as session:
        nts = add_operator(session, name="NTS desk 2", agency_id="nts", now=state.clock.now())
    theirs = client.get("/v1/admin/audit", headers={"Authorization": f"Bearer {nts.api_key}"}).json()["entries"]
    assert {e["agency_id"] for e in theirs} <= {"nts"} and "credential.revoke" not in [e["action"] for e in theirs]
    assert client.get("/v1/admin/audit").status_code == 401

