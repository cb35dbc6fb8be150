"""Hands out status list slots, atomically across processes and machines.

The counter lives in the list row and moves with one conditional ``UPDATE ... RETURNING``,
so the database, not process memory, decides who gets which slot: PostgreSQL row locks
(re-checking ``allocated < size`` after a wait) and SQLite's single writer both make two
concurrent increments see different values. Nothing here commits: the slot and the
credential record that uses it are committed together by the caller, or neither is.

Under PostgreSQL the row lock is held until the caller commits, so allocations for one
(kid, family) are serialised by the caller's transaction length: keep it short. The
caller's transaction must be READ COMMITTED (the default) so that a list opened by another
worker is seen on retry.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from issuers.status_lists.models import DEFAULT_LIST_SIZE, MAX_LIST_SIZE, IssuerStatusList
from issuers.status_lists.permutation import KEY_BYTES, permute
from schemas.errors import Conflict, InvalidInput
from schemas.status_list import DEFAULT_BITS

#: every status list URI is <issuer base URL> + this prefix + the list's uri_id
STATUS_LIST_PATH_PREFIX = "/status-lists/"
#: each round either takes a slot or sees a full list and opens (or finds) the next one;
#: more rounds than this means lists fill faster than we can open them, which is a bug
MAX_ROUNDS: int = 8

_LIST = IssuerStatusList.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class StatusAllocation:
    list_id: int
    idx: int
    uri_path: str


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


class StatusListAllocator:
    """Stateless apart from configuration: every worker may hold its own instance."""

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] = _utcnow,
        token_bytes: Callable[[int], bytes] = secrets.token_bytes,
    ) -> None:
        self._clock = clock
        self._token_bytes = token_bytes

    def allocate(
        self, session: Session, *, kid: str, family: str, list_size: int = DEFAULT_LIST_SIZE
    ) -> StatusAllocation:
        """Take the next free slot of the (kid, family) list, opening a new list of
        ``list_size`` entries when the current one is full. Does not commit."""
        _check_size(list_size)
        # the common case in one round trip: the latest list has room
        taken = session.exec(
            update(_LIST)
            .where(_LIST.c.id == self._latest_id(kid, family), _LIST.c.allocated < _LIST.c.size)
            .values(allocated=_LIST.c.allocated + 1)
            .returning(_LIST.c.id, _LIST.c.allocated, _LIST.c.size, _LIST.c.uri_id, _LIST.c.permutation_key)
        ).first()
        if taken is not None:
            return self._allocation(taken.id, taken)
        for _ in range(MAX_ROUNDS):
            latest = session.exec(  # type: ignore[call-overload]
                select(_LIST.c.id, _LIST.c.sequence)
                .where(_LIST.c.kid == kid, _LIST.c.family == family)
                .order_by(_LIST.c.sequence.desc())
                .limit(1)
            ).first()
            if latest is not None:
                taken = session.exec(
                    update(_LIST)
                    .where(_LIST.c.id == latest.id, _LIST.c.allocated < _LIST.c.size)
                    .values(allocated=_LIST.c.allocated + 1)
                    .returning(_LIST.c.allocated, _LIST.c.size, _LIST.c.uri_id, _LIST.c.permutation_key)
                ).first()
                if taken is not None:
                    return self._allocation(latest.id, taken)
            self._open_list(
                session, kid=kid, family=family, sequence=0 if latest is None else latest.sequence + 1, size=list_size
            )
        raise Conflict(f"could not allocate a status list slot for {kid}/{family}")

    @staticmethod
    def _latest_id(kid: str, family: str):  # type: ignore[no-untyped-def]
        return (
            select(_LIST.c.id)
            .where(_LIST.c.kid == kid, _LIST.c.family == family)
            .order_by(_LIST.c.sequence.desc())
            .limit(1)
            .scalar_subquery()
        )

    @staticmethod
    def _allocation(list_id: int, taken) -> StatusAllocation:  # type: ignore[no-untyped-def]
        counter = taken.allocated - 1
        return StatusAllocation(
            list_id=list_id,
            idx=permute(counter, size=taken.size, key=bytes(taken.permutation_key)),
            uri_path=status_list_uri_path(taken.uri_id),
        )

    def _open_list(self, session: Session, *, kid: str, family: str, sequence: int, size: int) -> None:
        """Insert list number ``sequence`` unless another worker already has.

        ON CONFLICT DO NOTHING rather than catching IntegrityError: a failed INSERT would
        abort the caller's PostgreSQL transaction, and a SAVEPOINT around it is unreliable
        under pysqlite. A competing uncommitted insert makes PostgreSQL wait for it here.
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
        dialect = session.get_bind().dialect.name
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
        session.exec(statement)


def count_lists(session: Session, *, kid: str, family: str) -> int:
    """How many lists a (kid, family) has opened (for operators and tests)."""
    return int(
        session.exec(  # type: ignore[call-overload]
            select(func.count()).select_from(_LIST).where(_LIST.c.kid == kid, _LIST.c.family == family)
        ).one()[0]
    )
