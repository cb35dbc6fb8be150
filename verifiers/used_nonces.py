"""Single-use marks in ``verifiers_used_nonce``: insert-or-nothing, decided by the database."""

from __future__ import annotations

from sqlalchemy import bindparam, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import Executable
from sqlmodel import Session

from verifiers.compiled_statement import CompiledStatement
from verifiers.models import UsedNonce

_TABLE = UsedNonce.__table__  # type: ignore[attr-defined]


def _mark_statement(dialect_name: str) -> Executable:
    insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    return (
        insert(_TABLE)
        .values(scope=bindparam("scope"), digest=bindparam("digest"), used_at=bindparam("used_at"),
                expires_at=bindparam("expires_at"))
        .on_conflict_do_nothing(index_elements=["scope", "digest"])
        # RETURNING rather than rowcount: psycopg 3 reports -1 for this insert under SQLAlchemy
        .returning(_TABLE.c.id)
    )


_MARK = CompiledStatement(_mark_statement)


def mark_used(session: Session, *, digest: str, scope: str, now: int, expires_at: int) -> bool:
    """True if this is the first use. Does not commit (the caller commits its decision).

    ON CONFLICT DO NOTHING rather than catching IntegrityError: a failed insert would abort
    the caller's whole PostgreSQL transaction, and SQLite savepoints are unreliable under
    pysqlite. A concurrent insert of the same mark waits for the first and then inserts nothing.
    """
    values = {"scope": scope, "digest": digest, "used_at": now, "expires_at": expires_at}
    return _MARK.execute(session, values).first() is not None


def purge_used(session: Session, *, now: int) -> int:
    """Delete marks no presentation can collide with any more; returns how many. Commits."""
    count = session.execute(delete(_TABLE).where(_TABLE.c.expires_at < now)).rowcount
    session.commit()
    return count
