"""The ecert CLI as an operator runs it in tests (the cli fixture) and the admin API key set-up.

A pytest plugin (tests/conftest.py lists it): its fixtures (cli) are
available to every test."""

from __future__ import annotations


import pytest
import typer
from fastapi.testclient import TestClient
from sqlmodel import Session

from wallet_api.cli.main import app as ecert_app



@pytest.fixture
def cli(client: TestClient, settings, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ECERT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ECERT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ECERT_PUBLIC_URL", settings.public_url)
    monkeypatch.setenv("ECERT_KEY_PASSPHRASE", settings.key_passphrase.get_secret_value())
    monkeypatch.setenv("ECERT_STORAGE_KEY", settings.storage_key.get_secret_value())
    return ecert_app

def run_admin(client: TestClient) -> dict[str, str]:
    from wallet_api.auth.administrators import add_administrator

    state = client.app.state.ecert  # type: ignore[attr-defined]
    with Session(state.engine) as session:
        created = add_administrator(session, name="ops", now=state.clock.now())
        session.commit()
    return {"Authorization": f"Bearer {created.api_key}"}
