"""Engine creation and migrations. Only wallet_api creates engines."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel import create_engine

from wallet_api.db.private_files import ensure_private_sqlite

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
#: every engine: SQLAlchemy's error messages (logged with a 500's traceback) leave out the
#: statement's parameters, which hold nonces, states, one-time-link ids and claim values
ENGINE_OPTIONS = {"hide_parameters": True}
#: connections per async pool per worker (see make_async_engine)
ASYNC_POOL_SIZE = 12


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:" and not database.startswith("file:"):
            ensure_private_sqlite(Path(database))
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **ENGINE_OPTIONS)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            # WAL lets readers run beside the one writer; foreign keys are off by default in SQLite.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    # no pre-ping: it costs a round trip per checkout; stale connections are recycled instead
    # pool_size covers a worker's usual concurrency: an overflow connection is closed on return,
    # and reconnecting (a new PostgreSQL backend) per request cost more than the query
    return create_engine(url, pool_size=20, max_overflow=20, pool_recycle=1800, **ENGINE_OPTIONS)


def make_async_engine(engine: Engine, *, isolation_level: str | None = None) -> AsyncEngine | None:
    """An async engine on the same database as ``engine`` (its own pool), where the driver
    has an async mode: psycopg does; pysqlite does not (None: callers use threads)."""
    if engine.dialect.name != "postgresql" or engine.dialect.driver != "psycopg":
        return None
    options = {"isolation_level": isolation_level} if isolation_level else {}
    # no overflow: one loop does the CPU work of every request, so a few connections keep it
    # busy; a request past them waits for one (cheap, on the loop) instead of opening an
    # overflow connection, which is closed on return: a new PostgreSQL backend per request
    # under load cost more than the request
    return create_async_engine(
        engine.url,
        pool_size=ASYNC_POOL_SIZE,
        max_overflow=0,
        pool_timeout=30,
        pool_recycle=1800,
        **ENGINE_OPTIONS,
        **options,
    )


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def run_migrations(engine: Engine) -> None:
    command.upgrade(alembic_config(engine), "head")

