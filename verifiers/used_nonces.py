"""Single-use marks in ``verifiers_used_nonce``: insert-or-nothing, decided by the database."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from verifiers.models import UsedNonce

_TABLE = UsedNonce.__table__  # type: ignore[attr-defined]


def mark_used(session: Session, *, digest: str, scope: str, now: int, expires_at: int) -> bool:
    """True if this is the first use. Does not commit (the caller commits its decision).

    ON CONFLICT DO NOTHING rather than catching IntegrityError: a failed insert would abort
    the caller's whole PostgreSQL transaction, and SQLite savepoints are unreliable under
    pysqlite. A concurrent insert of the same mark waits for the first and then inserts nothing.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(_TABLE)
        .values(scope=scope, digest=digest, used_at=now, expires_at=expires_at)
        .on_conflict_do_nothing(index_elements=["scope", "digest"])
        # RETURNING rather than rowcount: psycopg 3 reports -1 for this insert under SQLAlchemy
        .returning(_TABLE.c.id)
    )
    return session.execute(statement).first() is not None


def purge_used(session: Session, *, now: int) -> int:
    """Delete marks no presentation can collide with any more; returns how many. Commits."""
    count = session.execute(delete(_TABLE).where(_TABLE.c.expires_at < now)).rowcount
    session.commit()
    return count
