"""A relying party's OpenID4VP result is personal data: sealed at rest, handed over once,
deleted after its retention if nobody collects it (issue 12, "Personal data and secrets at rest")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from keys.jws import Signer
from verifiers.models import PresentationRequest, RelyingParty
from verifiers.oid4vp.presentation_requests import read_request
from wallet_api.db.engines import alembic_config, make_engine
from wallet_api.state import AppState

from tests.verifier_parties import Wallet, create


def answered(client: TestClient, headers: dict[str, str], holder: Signer, credential: Any) -> str:
    created = create(client, headers, ["name", "current_address"])
    wallet = Wallet(client, holder, credential.credential)
    request = wallet.resolve(created["uri"])
    r = wallet.respond(request, {"abstract": [wallet.presentation(request, ["name", "current_address"])]})
    assert r.status_code == 200, r.text
    return created["id"]


def poll(client: TestClient, headers: dict[str, str], request_id: str) -> dict[str, Any]:
    r = client.get(f"/v1/presentation-requests/{request_id}", headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    return r.json()


def stored_bytes(session: Session, request_id: str) -> bytes:
    """Every column of the row as the database holds it (what a stolen backup shows)."""
    row = session.execute(text("SELECT * FROM verifiers_presentation_request WHERE id = :id"), {"id": request_id}).one()
    return repr(tuple(row)).encode() + b"".join(v for v in row if isinstance(v, (bytes, memoryview)))


def leaves(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in leaves(v)]
    return [value] if isinstance(value, str) and len(value) > 3 else []


def test_result_is_sealed_at_rest_and_handed_over_once(client: TestClient, bank, holder: Signer, credential: Any, session: Session) -> None:  # type: ignore[no-untyped-def]
    _, headers = bank
    request_id = answered(client, headers, holder, credential)
    raw = stored_bytes(session, request_id)
    row = session.get(PresentationRequest, request_id)
    assert row is not None and row.sealed_result is not None and row.result_collected_at is None
    assert row.outcome == {"abstract": {"valid": True, "code": None, "match": "full"}}

    first = poll(client, headers, request_id)
    assert first["status"] == "done" and first["result_state"] == "handed_over" and first["complete"] is True
    claims = first["result"]["abstract"]["claims"]
    name = claims["name"]
    # at rest it was sealed: nothing of the person readable in any column
    for value in [name, *leaves(claims["current_address"])]:
        assert value.encode() not in raw and value not in raw.decode("utf-8", "replace")
    assert first["outcome"] == {"abstract": {"valid": True, "code": None, "match": "full"}}

    # handed over: deleted in the same transaction; the next poll says so and carries no data
    session.expire_all()
    row = session.get(PresentationRequest, request_id)
    assert row is not None and row.sealed_result is None and row.result_collected_at is not None
    second = poll(client, headers, request_id)
    assert second["status"] == "done" and second["result"] is None and second["result_state"] == "collected"
    assert second["outcome"] == first["outcome"] and second["complete"] is True
    assert name not in str(second)


def test_only_one_of_two_racing_polls_gets_the_result(client: TestClient, bank, holder: Signer, credential: Any, state: AppState) -> None:  # type: ignore[no-untyped-def]
    _, headers = bank
    request_id = answered(client, headers, holder, credential)
    with Session(state.engine, expire_on_commit=False) as first, Session(state.engine, expire_on_commit=False) as second:
        # both polls read the row with its sealed result before either hands it over
        party = first.get(RelyingParty, first.get(PresentationRequest, request_id).relying_party_id)  # type: ignore[union-attr]
        assert second.get(PresentationRequest, request_id).sealed_result is not None  # type: ignore[union-attr]
        second.commit()  # its snapshot stays in the identity map (a read transaction may not upgrade on SQLite)
        seal = state.sealer
        now = state.clock.epoch()
        won = read_request(first, relying_party=party, request_id=request_id, sealer=seal, now=now)  # type: ignore[arg-type]
        lost = read_request(second, relying_party=party, request_id=request_id, sealer=seal, now=now)  # type: ignore[arg-type]
    assert won["result_state"] == "handed_over" and won["result"] is not None
    assert lost["result_state"] == "collected" and lost["result"] is None


def _expire_result(session: Session, request_id: str, now: int) -> None:
    row = session.get(PresentationRequest, request_id)
    assert row is not None and row.result_expires_at is not None
    # retention is ECERT_PRESENTATION_RESULT_RETENTION_S from the answer
    assert row.result_expires_at == row.answered_at + 600  # type: ignore[operator]
    row.result_expires_at = now - 1
    session.add(row)
    session.commit()


def test_uncollected_result_is_deleted_after_its_retention(client: TestClient, bank, holder: Signer, credential: Any, session: Session, state: AppState) -> None:  # type: ignore[no-untyped-def]
    _, headers = bank
    swept = answered(client, headers, holder, credential)
    read_late = answered(client, headers, holder, credential)
    _expire_result(session, swept, state.clock.epoch())
    _expire_result(session, read_late, state.clock.epoch())

    # a new request sweeps whatever is past its retention, without anyone polling it
    create(client, headers, ["name"])
    session.expire_all()
    row = session.get(PresentationRequest, swept)
    assert row is not None and row.sealed_result is None and row.result_expires_at is None
    assert row.outcome is not None and row.result_collected_at is None
    body = poll(client, headers, swept)
    assert body["status"] == "done" and body["result"] is None and body["result_state"] == "purged"
    assert body["outcome"]["abstract"]["valid"] is True

    # and a poll after the retention never hands it over
    body = poll(client, headers, read_late)
    assert body["result"] is None and body["result_state"] == "purged"


def test_purge_results_command(client: TestClient, bank, holder: Signer, credential: Any, session: Session, state: AppState, settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from wallet_api.cli.main import app

    _, headers = bank
    request_id = answered(client, headers, holder, credential)
    _expire_result(session, request_id, state.clock.epoch())
    for name, value in {"ECERT_DATABASE_URL": settings.database_url, "ECERT_DATA_DIR": str(tmp_path / "cli"),
                        "ECERT_KEY_PASSPHRASE": settings.key_passphrase.get_secret_value(),
                        "ECERT_STORAGE_KEY": settings.storage_key.get_secret_value()}.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(app, ["rp", "purge-results"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "purged 1 uncollected presentation results"
    session.expire_all()
    assert session.get(PresentationRequest, request_id).sealed_result is None  # type: ignore[union-attr]


def test_pending_and_declined_requests_have_no_result(client: TestClient, bank, holder: Signer, credential: Any) -> None:  # type: ignore[no-untyped-def]
    _, headers = bank
    created = create(client, headers, ["name"])
    body = poll(client, headers, created["id"])
    assert body["status"] == "pending" and body["result"] is None and body["result_state"] == "none" and body["outcome"] is None
    request = Wallet(client, holder, credential.credential).resolve(created["uri"])
    client.post(f"/openid4vp/responses/{created['id']}", data={"error": "access_denied", "state": request["state"]})
    body = poll(client, headers, created["id"])
    # a wallet's error does not end the request (anyone who saw the QR could send it)
    assert body["status"] == "pending" and body["wallet_error"] == "access_denied"
    assert body["result"] is None and body["result_state"] == "none" and body["outcome"] is None


def test_migration_drops_plain_results_and_keeps_their_outcome(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    config = alembic_config(engine)
    command.upgrade(config, "af439f10d118")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO verifiers_relying_party (id, name, client_id, allowed, purpose, profile, created_at, active,"
            " api_key_sha256, certificate_der, sealed_private_key) VALUES ('rp', 'Bank', 'x509_hash:x', '{}', '', 'bank',"
            " '2026-01-01 00:00:00', 1, 'k', x'00', x'00')"))
        conn.execute(
            text("INSERT INTO verifiers_presentation_request (id, relying_party_id, dcql_query, purpose, nonce, state,"
                 " status, created_at, expires_at, answered_at, result) VALUES ('r1', 'rp', '{}', 'p', 'n', 's', 'done',"
                 " 1, 2, 1, :result)"),
            {"result": '{"abstract": {"valid": true, "code": null, "match": "full", "claims": {"name": "홍길동"}}}'},
        )
    command.upgrade(config, "head")
    with engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("verifiers_presentation_request")}
        row = conn.execute(text("SELECT outcome, sealed_result FROM verifiers_presentation_request WHERE id = 'r1'")).one()
    engine.dispose()
    assert "result" not in columns
    assert "홍길동" not in str(row[0]) and row[1] is None
    assert '"match": "full"' in row[0] and '"valid": true' in row[0]


@pytest.mark.parametrize("retention", [1, 3600])
def test_retention_setting_reaches_the_verifier(settings, retention: int) -> None:  # type: ignore[no-untyped-def]
    from wallet_api.app import create_app
    
    with TestClient(create_app(settings.model_copy(update={"presentation_result_retention_s": retention}))) as c:
        assert c.app.state.ecert.verifier.result_retention_s == retention  # type: ignore[attr-defined]
