"""Hands out status list slots, atomically across processes and machines.

Each process reserves a block of counters (``block_size``, 64 by default) from the latest
list with one short transaction of its own, committed at once: ``UPDATE ... SET allocated
= allocated + n ... RETURNING``. The database decides who gets which block (PostgreSQL row
locks, re-checking ``allocated + n <= size`` after a wait; SQLite's single writer), so two
processes never share a counter; inside the process the block is handed out one slot at a
time under a lock. Issuance therefore never holds the list row lock: the slot is taken
before the caller's transaction writes anything, and the caller commits its record alone.

What this costs: a counter reserved by a process that stops or crashes before using it is
never used by anyone (it reads VALID in the published list, and no credential carries it);
the list's ``allocated`` mark is an upper bound on the slots in use, not their count. It is
never lowered, so no counter is handed out twice, before or after a restart. A slot whose
issuance failed before its COMMIT was attempted goes back to the process's pool
(``release``): no record holds it, so a failing request does not burn slots.

One allocator per process and database: the blocks it holds name list rows of that database.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from issuers.status_lists.models import DEFAULT_LIST_SIZE, MAX_LIST_SIZE, IssuerStatusList
from issuers.status_lists.permutation import KEY_BYTES, permute
from schemas.errors import Conflict, InvalidInput
from schemas.status_list import DEFAULT_BITS

#: every status list URI is <issuer base URL> + this prefix + the list's uri_id
STATUS_LIST_PATH_PREFIX = "/status-lists/"
#: slots a process reserves per round trip: a crashed worker loses at most this many, and at
#: 500 credentials/s one reservation every ~0.1 s keeps the list row far from contention
DEFAULT_BLOCK_SIZE: int = 64
#: each round either reserves a block or sees a full list and opens (or finds) the next one;
#: more rounds than this means lists fill faster than we can open them, which is a bug
MAX_ROUNDS: int = 8

_LIST = IssuerStatusList.__table__  # type: ignore[attr-defined]
_RESERVED = (_LIST.c.id, _LIST.c.allocated, _LIST.c.size, _LIST.c.uri_id, _LIST.c.permutation_key)


@dataclass(frozen=True)
class StatusAllocation:
    list_id: int
    idx: int
    uri_path: str


@dataclass
class _Block:
    """Counters ``[next_counter, end)`` of one list, reserved (committed) by this process."""

    list_id: int
    size: int
    uri_path: str
    permutation_key: bytes
    next_counter: int
    end: int
    #: slots taken from this block whose issuance failed before COMMIT: handed out first
    released: list[int] = field(default_factory=list)

    def take(self) -> StatusAllocation | None:
        if self.released:
            idx = self.released.pop()
        elif self.next_counter < self.end:
            idx = permute(self.next_counter, size=self.size, key=self.permutation_key)
            self.next_counter += 1
        else:
            return None
        return StatusAllocation(list_id=self.list_id, idx=idx, uri_path=self.uri_path)


def status_list_uri_path(uri_id: str) -> str:
    return f"{STATUS_LIST_PATH_PREFIX}{uri_id}"


def _check_size(list_size: int) -> None:
    per_byte = 8 // DEFAULT_BITS
    if not per_byte <= list_size <= MAX_LIST_SIZE or list_size % per_byte:
        raise InvalidInput(
            f"status list size must be a multiple of {per_byte} between {per_byte} and {MAX_LIST_SIZE}"
        )


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind.engine if isinstance(bind, Connection) else bind


class StatusListAllocator:
    """Hands out the slots of blocks this process reserved; thread-safe. Keep one per process."""

    def __init__(
        self,
        *,
        block_size: int = DEFAULT_BLOCK_SIZE,
        clock: Callable[[], datetime] = _utcnow,
        token_bytes: Callable[[int], bytes] = secrets.token_bytes,
    ) -> None:
        if block_size < 1:
            raise ValueError("block_size must be at least 1")
        self._block_size = block_size
        self._clock = clock
        self._token_bytes = token_bytes
        #: per (kid, family): the blocks with slots left, the one in use last
        self._blocks: dict[tuple[str, str], list[_Block]] = {}
        #: guards ``_blocks`` only, never held across I/O: a caller may run on an event loop
        #: (greenlets on one thread), where waiting for a lock held by another would hang it
        self._lock = threading.Lock()

    def allocate(
        self, session: Session, *, kid: str, family: str, list_size: int = DEFAULT_LIST_SIZE
    ) -> StatusAllocation:
        """A slot of the (kid, family) list no one else holds. When this process has none
        left, reserves a block on its own connection to ``session``'s database and commits
        it at once (opening a list of ``list_size`` entries when the current one is full).

        ``session`` itself is neither written nor committed. Under SQLite, call this before
        ``session`` writes anything: the reservation needs the database's one write lock.
        """
        _check_size(list_size)
        key = (kid, family)
        taken = self._take(key)
        while taken is None:
            # two callers that both find the pool empty both reserve: the spare block is
            # kept and used next, so nothing is lost and no one waits on anyone
            block = self._reserve(_engine_of(session), kid=kid, family=family, list_size=list_size)
            with self._lock:
                self._blocks.setdefault(key, []).append(block)
            taken = self._take(key)
        return taken

    def release(self, allocation: StatusAllocation) -> None:
        """Give back a slot whose credential was never committed (the caller rolled back
        before attempting COMMIT). Not after a failed COMMIT: its outcome is unknown."""
        with self._lock:
            for blocks in self._blocks.values():
                for block in blocks:
                    if block.list_id == allocation.list_id:
                        block.released.append(allocation.idx)
                        return
        # its block is used up and gone: the slot is simply never used

    def _take(self, key: tuple[str, str]) -> StatusAllocation | None:
        with self._lock:
            blocks = self._blocks.get(key, [])
            while blocks:
                taken = blocks[-1].take()
                if taken is not None:
                    return taken
                blocks.pop()
        return None

    def _reserve(self, engine: Engine, *, kid: str, family: str, list_size: int) -> _Block:
        with engine.begin() as connection:
            for _ in range(MAX_ROUNDS):
                # the common case in one statement: the latest list has a whole block left
                row = connection.execute(
                    update(_LIST)
                    .where(_LIST.c.id == _latest_id(kid, family), _LIST.c.allocated + self._block_size <= _LIST.c.size)
                    .values(allocated=_LIST.c.allocated + self._block_size)
                    .returning(*_RESERVED)
                ).first()
                if row is not None:
                    return _block(row, start=row.allocated - self._block_size)
                # less than a block left, or another worker just opened a list: lock the
                # latest row, so what we read is what we update
                latest = connection.execute(
                    select(_LIST.c.id, _LIST.c.sequence, _LIST.c.allocated, _LIST.c.size)
                    .where(_LIST.c.kid == kid, _LIST.c.family == family)
                    .order_by(_LIST.c.sequence.desc())
                    .limit(1)
                    .with_for_update()
                ).first()
                if latest is not None and latest.allocated < latest.size:
                    count = min(self._block_size, latest.size - latest.allocated)
                    row = connection.execute(
                        update(_LIST)
                        .where(_LIST.c.id == latest.id)
                        .values(allocated=_LIST.c.allocated + count)
                        .returning(*_RESERVED)
                    ).one()
                    return _block(row, start=row.allocated - count)
                self._open_list(
                    connection,
                    kid=kid,
                    family=family,
                    sequence=0 if latest is None else latest.sequence + 1,
                    size=list_size,
                )
        raise Conflict(f"could not allocate a status list slot for {kid}/{family}")

    def _open_list(self, connection: Connection, *, kid: str, family: str, sequence: int, size: int) -> None:
        """Insert list number ``sequence`` unless another worker already has.

        ON CONFLICT DO NOTHING rather than catching IntegrityError: a failed INSERT would
        abort the PostgreSQL transaction, and a SAVEPOINT around it is unreliable under
        pysqlite. A competing uncommitted insert makes PostgreSQL wait for it here (briefly:
        reservations are their own short transactions).
        """
        values = {
            "kid": kid,
            "family": family,
            "sequence": sequence,
            "uri_id": secrets.token_urlsafe(16),
            "size": size,
            "bits": DEFAULT_BITS,
            "allocated": 0,
            "created_at": self._clock(),
            "permutation_key": self._token_bytes(KEY_BYTES),
        }
        dialect = connection.dialect.name
        if dialect == "postgresql":
            statement = postgresql.insert(_LIST).values(**values).on_conflict_do_nothing(
                index_elements=["kid", "family", "sequence"]
            )
        elif dialect == "sqlite":
            statement = sqlite.insert(_LIST).values(**values).on_conflict_do_nothing(
                index_elements=["kid", "family", "sequence"]
            )
        else:  # pragma: no cover - the design supports these two databases
            raise NotImplementedError(f"status list allocation is not implemented for {dialect}")
        connection.execute(statement)


def _latest_id(kid: str, family: str):  # type: ignore[no-untyped-def]
    return (
        select(_LIST.c.id)
        .where(_LIST.c.kid == kid, _LIST.c.family == family)
        .order_by(_LIST.c.sequence.desc())
        .limit(1)
        .scalar_subquery()
    )


def _block(row, *, start: int) -> _Block:  # type: ignore[no-untyped-def]
    """The block of counters ``[start, row.allocated)`` a reservation returned."""
    return _Block(
        list_id=row.id,
        size=row.size,
        uri_path=status_list_uri_path(row.uri_id),
        permutation_key=bytes(row.permutation_key),
        next_counter=start,
        end=row.allocated,
    )


def count_lists(session: Session, *, kid: str, family: str) -> int:
    """How many lists a (kid, family) has opened (for operators and tests)."""
    return int(
        session.exec(  # type: ignore[call-overload]
            select(func.count()).select_from(_LIST).where(_LIST.c.kid == kid, _LIST.c.family == family)
        ).one()[0]
    )
