"""Insert-or-nothing single-use marks, decided by the database (never process memory)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from verifiers.qr.models import QrScanMark

_TABLE = QrScanMark.__table__  # type: ignore[attr-defined]


def mark_scanned(session: Session, *, scope: str, mark: str, relying_party_id: str, now: int, expires_at: int) -> int | None:
    """None if this is the first scan; else when the first one was. Does not commit.

    ON CONFLICT DO NOTHING, as ``verifiers.used_nonces``: two desks scanning the same
    declaration at once insert one row, and the loser learns it without an aborted transaction.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(_TABLE)
        .values(scope=scope, mark=mark, relying_party_id=relying_party_id, scanned_at=now, expires_at=expires_at)
        .on_conflict_do_nothing(index_elements=["scope", "mark"])
        .returning(_TABLE.c.id)
    )
    if session.execute(statement).first() is not None:
        return None
    first = session.execute(
        select(_TABLE.c.scanned_at).where(_TABLE.c.scope == scope, _TABLE.c.mark == mark)
    ).scalar_one()
    return int(first)


def purge_scan_marks(session: Session, *, now: int) -> int:
    count = session.execute(delete(_TABLE).where(_TABLE.c.expires_at < now)).rowcount
    session.commit()
    return count
