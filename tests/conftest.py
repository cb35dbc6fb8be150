"""Shared fixtures. The suite runs against SQLite by default and against PostgreSQL when
``ECERT_TEST_DATABASE_URL`` is set (``.ci/run`` does both)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from fastapi.testclient import TestClient
from sqlmodel import Session, SQLModel

from wallet_api.app import create_app
from wallet_api.clock import FixedClock
from wallet_api.db.engines import make_engine, run_migrations
from wallet_api.db.tables import import_all_tables
from tests.fixed_keys import TEST_KEY_PASSPHRASE, TEST_STORAGE_KEY

pytest_plugins = ["tests.log_audit", "tests.live_server", "tests.verifier_parties", "tests.admin_cli", "tests.generated_types"]

# `ecert serve` records where it runs in the user's state directory and other commands read
# it (wallet_api/cli/location.py): the suite's servers must not touch the developer's record
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="ecert-test-state-")


def _test_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("ECERT_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _test_database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def schema_engine(database_url: str) -> Iterator[Engine]:
    """One engine per run, migrated like production.

    create_all afterwards only adds tables a migration does not have yet (none, once the
    migrations are current: test_migrations.py checks that).
    """
    import_all_tables()
    engine = make_engine(database_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    run_migrations(engine)
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(schema_engine: Engine) -> Engine:
    """The shared engine with every table emptied before the test."""
    tables = list(reversed(SQLModel.metadata.sorted_tables))
    with schema_engine.begin() as conn:
        if schema_engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            if names:
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())
    return schema_engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def settings(tmp_path, database_url: str, engine: Engine):  # type: ignore[no-untyped-def]
    from wallet_api.settings import Settings

    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        public_url="https://ecert.test",
        key_passphrase=TEST_KEY_PASSPHRASE,
        storage_key=TEST_STORAGE_KEY,
    )


@pytest.fixture
def client(settings):  # type: ignore[no-untyped-def]
    """HTTP through the whole app (lifespan included) with httpx under TestClient."""
    from fastapi.testclient import TestClient

    from wallet_api.app import create_app

    with TestClient(create_app(settings), base_url="https://ecert.test") as test_client:
        yield test_client


# --- the app over HTTP on a clock the test moves (wallet, QR desk, console tests) ----------
@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def app_client(settings, clock: FixedClock) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """The whole app over HTTP, on a clock the test moves."""
    with TestClient(create_app(settings, clock=clock), base_url="https://ecert.test") as test_client:
        yield test_client
