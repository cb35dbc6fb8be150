"""Insert-or-nothing single-use marks, decided by the database (never process memory)."""

from __future__ import annotations

from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import Executable
from sqlmodel import Session

from verifiers.compiled_statement import CompiledStatement
from verifiers.qr.models import QrScanMark

_TABLE = QrScanMark.__table__  # type: ignore[attr-defined]


def _mark_statement(dialect_name: str) -> Executable:
    insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    return (
        insert(_TABLE)
        .values(scope=bindparam("scope"), mark=bindparam("mark"), relying_party_id=bindparam("relying_party_id"),
                scanned_at=bindparam("scanned_at"), expires_at=bindparam("expires_at"))
        .on_conflict_do_nothing(index_elements=["scope", "mark"])
        .returning(_TABLE.c.id)
    )


def _first_scan_statement(dialect_name: str) -> Executable:
    return select(_TABLE.c.scanned_at).where(_TABLE.c.scope == bindparam("scope"), _TABLE.c.mark == bindparam("mark"))


_MARK = CompiledStatement(_mark_statement)
_FIRST_SCAN = CompiledStatement(_first_scan_statement)


def mark_scanned(session: Session, *, scope: str, mark: str, relying_party_id: str, now: int, expires_at: int) -> int | None:
    """None if this is the first scan; else when the first one was. Does not commit.

    ON CONFLICT DO NOTHING, as ``verifiers.used_nonces``: two desks scanning the same
    declaration at once insert one row, and the loser learns it without an aborted transaction.
    """
    values = {"scope": scope, "mark": mark, "relying_party_id": relying_party_id, "scanned_at": now,
              "expires_at": expires_at}
    if _MARK.execute(session, values).first() is not None:
        return None
    return int(_FIRST_SCAN.execute(session, {"scope": scope, "mark": mark}).scalar_one())


def purge_scan_marks(session: Session, *, now: int) -> int:
    count = session.execute(delete(_TABLE).where(_TABLE.c.expires_at < now)).rowcount
    session.commit()
    return count
