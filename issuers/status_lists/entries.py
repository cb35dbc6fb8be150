"""Reading and changing one entry's status (revoke, suspend, reinstate).

Each entry is its own row and every change is a single-row upsert or delete, so concurrent
changes to entries packed into the same byte never overwrite each other. Nothing here
commits: the status change is committed with whatever audit record the caller writes.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from issuers.status_lists.models import IssuerStatusEntry, IssuerStatusList
from issuers.status_lists.permutation import unpermute
from schemas.errors import InvalidInput, NotFound
from schemas.status_list import ISSUER_STATUSES, VALID

_ENTRY = IssuerStatusEntry.__table__  # type: ignore[attr-defined]
_LIST = IssuerStatusList.__table__  # type: ignore[attr-defined]


def _list_for_index(session: Session, *, list_id: int, idx: int) -> IssuerStatusList:
    status_list = session.get(IssuerStatusList, list_id)
    if status_list is None:
        raise NotFound(f"no status list {list_id}")
    if isinstance(idx, bool) or not isinstance(idx, int) or not 0 <= idx < status_list.size:
        raise InvalidInput(f"index {idx!r} is outside status list {list_id}")
    return status_list


def _allocated_count(session: Session, list_id: int) -> int:
    # read the column, not the identity-mapped object, which may predate other workers' allocations
    row = session.exec(select(_LIST.c.allocated).where(_LIST.c.id == list_id)).one()  # type: ignore[call-overload]
    return int(row[0])


def set_status(session: Session, *, list_id: int, idx: int, status: int, now: datetime | None = None) -> None:
    """Set entry ``idx`` of a list to VALID (0), INVALID (1) or SUSPENDED (2). Does not commit."""
    if isinstance(status, bool) or status not in ISSUER_STATUSES:
        raise InvalidInput(f"status must be one of {sorted(ISSUER_STATUSES)}")
    status_list = _list_for_index(session, list_id=list_id, idx=idx)
    if status >= 1 << status_list.bits:
        raise InvalidInput(f"status {status} does not fit the {status_list.bits}-bit list {list_id}")
    # size and key never change, so the identity-mapped row is good enough for them
    counter = unpermute(idx, size=status_list.size, key=bytes(status_list.permutation_key))
    if counter >= _allocated_count(session, list_id):
        # revoking a slot nobody holds yet would make a future credential born revoked
        raise InvalidInput(f"index {idx} of status list {list_id} has not been allocated")
    if status == VALID:
        session.exec(delete(_ENTRY).where(_ENTRY.c.list_id == list_id, _ENTRY.c.idx == idx))
        return
    values = {"list_id": list_id, "idx": idx, "status": status, "updated_at": now or datetime.now(UTC)}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(_ENTRY).values(**values)
    session.exec(
        statement.on_conflict_do_update(
            index_elements=["list_id", "idx"],
            set_={"status": statement.excluded.status, "updated_at": statement.excluded.updated_at},
        )
    )


def get_status(session: Session, *, list_id: int, idx: int) -> int:
    """The current status of entry ``idx`` (VALID when no row exists)."""
    _list_for_index(session, list_id=list_id, idx=idx)
    row = session.exec(  # type: ignore[call-overload]
        select(_ENTRY.c.status).where(_ENTRY.c.list_id == list_id, _ENTRY.c.idx == idx)
    ).first()
    return VALID if row is None else int(row[0])
