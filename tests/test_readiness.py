"""GET /readyz: ready only with the database answering, the schema at head and an active key."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, select

from keys.store import IssuerKey
from wallet_api.app import create_app


def test_ready_when_everything_is_in_place(client: TestClient) -> None:
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok", "signing_key": "ok"}}
    assert client.get("/healthz").json() == {"status": "ok"}


def test_no_active_key_is_not_ready(client: TestClient) -> None:
    state = client.app.state.ecert  # type: ignore[attr-defined]
    with Session(state.engine) as session:
        for key in session.exec(select(IssuerKey)).all():
            key.retired_at = state.clock.now()
            session.add(key)
        session.commit()
    r = client.get("/readyz")
    assert r.status_code == 503 and r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["code"] == "not_ready" and body["detail"].startswith("signing_key")
    assert body["checks"]["database"] == "ok" and body["checks"]["signing_key"] != "ok"
    assert client.get("/healthz").status_code == 200  # alive, just not ready


def test_a_schema_behind_the_code_is_not_ready(client: TestClient) -> None:
    state = client.app.state.ecert  # type: ignore[attr-defined]
    with Session(state.engine) as session:
        current = session.exec(text("SELECT version_num FROM alembic_version")).one()[0]  # type: ignore[call-overload]
        session.exec(text("UPDATE alembic_version SET version_num = 'af439f10d118'"))  # type: ignore[call-overload]
        session.commit()
    try:
        body = client.get("/readyz").json()
        assert body["code"] == "not_ready" and body["checks"]["migrations"].startswith("at af439f10d118")
    finally:
        with Session(state.engine) as session:
            session.exec(text("UPDATE alembic_version SET version_num = :v").bindparams(v=current))  # type: ignore[call-overload]
            session.commit()


def test_an_unreachable_database_is_not_ready(settings: Any, tmp_path: Any) -> None:
    from sqlalchemy import create_engine

    with TestClient(create_app(settings), base_url="https://ecert.test") as client:
        state = client.app.state.ecert  # type: ignore[attr-defined]
        working = state.engine
        # a database file that cannot be opened: the worker is alive, its database is not there
        (tmp_path / "a-file").write_text("not a directory")
        state.engine = create_engine(f"sqlite:///{tmp_path / 'a-file' / 'gone.db'}")
        try:
            r = client.get("/readyz")
            assert r.status_code == 503 and r.json()["checks"] == {"database": "unreachable"}
        finally:
            state.engine.dispose()
            state.engine = working
