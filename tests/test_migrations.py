"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import uuid
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

from wallet_api.db.engines import make_engine, run_migrations
from wallet_api.db.tables import import_all_tables


def _diff(engine) -> list:  # type: ignore[no-untyped-def]
    import_all_tables()
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)


def test_migrations_match_models_on_sqlite(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    run_migrations(engine)
    run_migrations(engine)  # idempotent: a second start migrates nothing
    assert _diff(engine) == []
    engine.dispose()


def test_migrations_match_models_on_postgresql(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        import pytest

        pytest.skip("PostgreSQL run only (ECERT_TEST_DATABASE_URL)")
    schema = f"migcheck_{uuid.uuid4().hex[:8]}"
    admin = make_engine(database_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = admin.url.set(query={"options": f"-csearch_path={schema}"})
    engine = create_engine(url)
    try:
        run_migrations(engine)
        assert _diff(engine) == []
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
