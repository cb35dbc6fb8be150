"""``ecert maintenance`` and the periodic run: every table of expiring rows is filled with
expired and live rows; a run deletes exactly the expired ones and says how many per table.
On SQLite, and on PostgreSQL with ``ECERT_TEST_DATABASE_URL`` (where a second run while the
advisory lock is held skips)."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select, text
from sqlmodel import Session, SQLModel
from typer.testing import CliRunner

from wallet_api.cli.main import app as ecert_app
from wallet_api.db.maintenance import PURGES, exclusive_run, purge_expired_rows, start_maintenance_task
from wallet_api.state import AppState

DAY = timedelta(days=1)


def _id() -> str:
    return uuid.uuid4().hex


def _table(name: str) -> Any:
    return SQLModel.metadata.tables[name]


def _parents(session: Session, now: datetime) -> dict[str, str]:
    """One holder, device and relying party for the rows that point at them."""
    holder, device, party = _id(), _id(), _id()
    session.execute(insert(_table("wallet_holder")).values(
        id=holder, rrn_lookup=_id() + _id(), sealed_identity=b"x", identity_provider="idp", created_at=now))
    session.execute(insert(_table("wallet_device")).values(
        id=device, holder_id=holder, alg="ES256", jkt=_id(), public_jwk={}, created_at=now))
    session.execute(insert(_table("verifiers_relying_party")).values(
        id=party, name="은행", client_id="x509_hash:" + _id(), allowed={}, created_at=now, api_key_sha256=_id() + _id(),
        certificate_der=b"x", sealed_private_key=b"x"))
    return {"holder": holder, "device": device, "party": party}


def _rows(now: datetime, p: dict[str, str], *, expired: bool, retention_days: int) -> dict[str, dict[str, Any]]:
    """One row per table: past its end (``expired``) or not, by each table's own rule."""
    at = now - DAY if expired else now + DAY
    epoch = int(at.timestamp())
    offer = _id()
    return {
        "issuers_oid4vci_nonce": {"nonce_hash": _id(), "created_at": now, "expires_at": at},
        "issuers_oid4vci_offer": {"id": offer, "code_hash": _id(), "subject_sealed": b"x", "configuration_ids": ["t"],
                                  "created_by": "test", "created_at": now, "expires_at": at},
        "issuers_oid4vci_offer_credential": {"offer_id": offer, "configuration_id": "t"},
        "issuers_oid4vci_access_token": {"token_hash": _id(), "offer_id": offer, "created_at": now, "expires_at": at},
        "verifiers_used_nonce": {"scope": "s", "digest": _id(), "used_at": epoch, "expires_at": epoch},
        "verifiers_qr_scan_mark": {"scope": "s", "mark": _id(), "relying_party_id": p["party"], "scanned_at": epoch,
                                   "expires_at": epoch},
        "console_session": {"id": _id(), "relying_party_id": p["party"], "csrf_token": "c", "created_at": epoch,
                            "last_seen_at": epoch, "expires_at": epoch},
        # kept a week after it expired: "expired" is eight days ago, "live" expired an hour ago
        "verifiers_presentation_request": {
            "id": _id(), "relying_party_id": p["party"], "dcql_query": {}, "purpose": "p", "nonce": _id(), "state": _id(),
            "created_at": epoch, "expires_at": int((now - (8 * DAY if expired else timedelta(hours=1))).timestamp()),
            "sealed_result": b"r", "result_expires_at": epoch},
        "wallet_share_link": {"id": _id(), "holder_id": p["holder"], "submission_id": _id(), "code_hash": "h",
                              "nonce": "n", "created_at": now, "expires_at": at},
        "wallet_sign_in_challenge": {"id": _id(), "created_at": now, "expires_at": at},
        "wallet_device_registration_challenge": {"id": _id(), "holder_id": p["holder"], "created_at": now, "expires_at": at},
        "wallet_access_token": {"token_sha256": _id(), "holder_id": p["holder"], "scope": "holder", "created_at": now,
                                "expires_at": at},
        "wallet_used_identity_assertion": {"issuer": "idp", "jti": _id(), "expires_at": at},
        "rate_limit_window": {"bucket": "b", "client": _id(), "window_start": epoch - 60, "count": 1, "expires_at": epoch},
        # shown as expired for the retention, then purged
        "wallet_stored_credential": {
            "id": _id(), "holder_id": p["holder"], "device_id": p["device"], "vct": "v", "issuer": "i", "issued_at": now,
            "expires_at": now - (retention_days + 1) * DAY if expired else now - DAY, "stored_at": now, "origin": "o",
            "sealed_credential": b"x", "sealed_claims": b"x"},
    }


def _count(session: Session, table: str) -> int:
    return int(session.scalar(select(func.count()).select_from(_table(table))) or 0)


def _fill(state: AppState) -> dict[str, int]:
    """Expired and live rows in every table; returns the row count of each before the run."""
    now = datetime.now(UTC)
    retention = state.settings.expired_credential_retention_days
    with Session(state.engine) as session:
        parents = _parents(session, now)
        for expired in (True, False):
            for table, row in _rows(now, parents, expired=expired, retention_days=retention).items():
                session.execute(insert(_table(table)).values(**row))
        session.commit()
        return {table: _count(session, table) for table in _rows(now, parents, expired=True, retention_days=1)}


EXPECTED = {
    "issuers_oid4vci_nonce": 1, "issuers_oid4vci_access_token": 1, "issuers_oid4vci_offer": 1,
    "verifiers_used_nonce": 1, "verifiers_qr_scan_mark": 1, "console_session": 1,
    "presentation_results": 1, "verifiers_presentation_request": 1, "wallet_share_link": 1,
    "wallet_sign_in_challenge": 1, "wallet_device_registration_challenge": 1, "wallet_access_token": 1,
    "wallet_used_identity_assertion": 1, "rate_limit_window": 1, "wallet_stored_credential": 1,
}


def _assert_only_expired_went(state: AppState, before: dict[str, int]) -> None:
    with Session(state.engine) as session:
        after = {table: _count(session, table) for table in before}
        # the live rows stay: each table lost exactly its expired row
        assert after == {table: n - 1 for table, n in before.items()}
        # the live presentation request still has its result (its result_expires_at is ahead)
        results = session.scalars(select(_table("verifiers_presentation_request").c.sealed_result)).all()
        assert results == [b"r"]


def test_a_run_purges_only_expired_rows(client: TestClient) -> None:
    state: AppState = client.app.state.ecert  # type: ignore[attr-defined]
    assert {name for name, _ in PURGES} == set(EXPECTED)
    before = _fill(state)
    assert purge_expired_rows(state) == EXPECTED
    _assert_only_expired_went(state, before)
    # a second run finds nothing left
    assert set(purge_expired_rows(state).values()) == {0}  # type: ignore[union-attr]


def test_cli_prints_what_it_purged(client: TestClient, settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECERT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ECERT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ECERT_PUBLIC_URL", settings.public_url)
    monkeypatch.setenv("ECERT_KEY_PASSPHRASE", settings.key_passphrase.get_secret_value())
    monkeypatch.setenv("ECERT_STORAGE_KEY", settings.storage_key.get_secret_value())
    state: AppState = client.app.state.ecert  # type: ignore[attr-defined]
    before = _fill(state)
    result = CliRunner().invoke(ecert_app, ["maintenance"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[:-1] == [f"{table}: {n}" for table, n in EXPECTED.items()]
    assert lines[-1] == f"purged {len(EXPECTED)} rows"
    _assert_only_expired_went(state, before)
    again = CliRunner().invoke(ecert_app, ["maintenance", "--json"])
    assert again.exit_code == 0 and set(json.loads(again.stdout).values()) == {0}


def test_one_run_at_a_time_on_postgresql(client: TestClient) -> None:
    state: AppState = client.app.state.ecert  # type: ignore[attr-defined]
    if state.engine.dialect.name != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's: set ECERT_TEST_DATABASE_URL")
    with exclusive_run(state.engine) as first:
        assert first
        # another worker (another connection) finds the lock held and skips the round
        assert purge_expired_rows(state) is None
    with state.engine.connect() as connection:
        held = connection.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")).scalar()
    assert held == 0
    assert purge_expired_rows(state) is not None


def test_the_server_runs_it_periodically(client: TestClient) -> None:
    state: AppState = client.app.state.ecert  # type: ignore[attr-defined]
    before = _fill(state)

    async def one_round() -> None:
        state.settings = state.settings.model_copy(update={"maintenance_interval_s": 0.05})  # type: ignore[dict-item]
        task = start_maintenance_task(state)
        assert task is not None
        await asyncio.sleep(1.0)
        task.cancel()

    asyncio.run(one_round())
    _assert_only_expired_went(state, before)
    state.settings = state.settings.model_copy(update={"maintenance_interval_s": 0})
    assert start_maintenance_task(state) is None
