"""Expired rows swept on the request path, a bounded batch at a time.

Anonymous routes insert rows (sign-in challenges, c_nonces, rate-limit windows, …); without
a sweep a loop of requests grows those tables without bound. Sweeping everything expired on
every insert makes each request pay for every earlier one; never sweeping leaves it to a job
nobody runs. So: every ``every``-th insert into a table (counted per process) deletes at most
``batch`` of its expired rows, found through the index on ``expires_at``::

    DELETE FROM t WHERE pk IN (SELECT pk FROM t WHERE expires_at <= :now LIMIT :batch
                               FOR UPDATE SKIP LOCKED)   -- PostgreSQL; SQLite has one writer

The sweep keeps up as long as ``batch / every`` (default 100 / 16, about 6) is above 1: each
insert removes up to six expired rows on average, so the table holds at most the rows still
live plus one batch. ``SKIP LOCKED``: two workers sweeping at once take different rows
instead of waiting on each other.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Table, delete, select, tuple_
from sqlalchemy.engine import Connection
from sqlmodel import Session


@dataclass(frozen=True)
class ExpiringTable:
    """A table whose rows die at ``expires_at`` (a datetime or epoch seconds, as the table keeps it)."""

    table: Table
    expires_at: Column[Any]

    @classmethod
    def of(cls, model: Any, column: str = "expires_at") -> "ExpiringTable":
        table: Table = model.__table__
        return cls(table, table.c[column])

    @property
    def name(self) -> str:
        return self.table.name


def sweep_statement(target: ExpiringTable, *, now: datetime | int, batch: int) -> Any:
    key = list(target.table.primary_key.columns)
    doomed = (
        select(*key).where(target.expires_at <= now).limit(batch).with_for_update(skip_locked=True)
    )
    matched = key[0].in_(doomed) if len(key) == 1 else tuple_(*key).in_(doomed)
    return delete(target.table).where(matched)


def sweep_expired(session: Session | Connection, target: ExpiringTable, *, now: datetime | int, batch: int) -> int:
    """Delete at most ``batch`` expired rows of ``target`` now; returns how many. Does not commit."""
    return session.execute(sweep_statement(target, now=now, batch=batch)).rowcount  # type: ignore[union-attr]


class ExpiredRowSweeper:
    """Decides which inserts also sweep: every ``every``-th per table, in this process.

    A per-process counter rather than a random draw: a test (``every=1``) sees the sweep
    happen exactly when it expects, and workers each sweep at their own share of the inserts.
    """

    def __init__(self, *, every: int, batch: int) -> None:
        if every < 1 or batch < 1:
            raise ValueError("every and batch must be at least 1")
        self.every = every
        self.batch = batch
        self._counters: dict[str, Iterator[int]] = {}

    def _due(self, name: str) -> bool:
        counter = self._counters.get(name)
        if counter is None:
            counter = self._counters.setdefault(name, itertools.count(1))
        # next() on itertools.count is atomic under the GIL: threads never share a number
        return next(counter) % self.every == 0

    def after_insert(self, session: Session | Connection, target: ExpiringTable, *, now: datetime | int) -> int:
        """Call on each insert into ``target``; sweeps when it is this insert's turn. Does not commit."""
        if not self._due(target.name):
            return 0
        return sweep_expired(session, target, now=now, batch=self.batch)
