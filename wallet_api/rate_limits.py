"""Rate limits for anonymous callers, counted in the database so every worker shares them.

A fixed window per (bucket, client): ``bucket`` names what is limited (``auth_challenge``,
``oid4vci_nonce``, …), the client is the request's address (behind a reverse proxy, run
uvicorn with ``--proxy-headers`` and ``--forwarded-allow-ips`` so that this is the caller and
not the proxy). Each request counts itself with one atomic statement::

    INSERT INTO rate_limit_window (bucket, client, window_start, count, expires_at)
    VALUES (…, 1, …)
    ON CONFLICT (bucket, client, window_start) DO UPDATE SET count = rate_limit_window.count + 1
    RETURNING count

(SQLite ≥ 3.35 and PostgreSQL), in its own autocommit statement so a request that fails
later is still counted. Past the limit the answer is 429 ``rate_limited`` with
``Retry-After`` (seconds to the next window). The client address is stored as a keyed hash,
and windows are swept like any other expiring row (``expired_rows``).

The counting lives behind ``RateLimitBackend``: ``DatabaseRateLimitBackend`` is the one there
is; another store (e.g. Redis ``INCR`` + ``EXPIRE``) is another class with the same ``hit``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Protocol

from fastapi import Request
from sqlalchemy import BigInteger, Column, Integer, String, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.sql import Executable
from sqlmodel import Field, SQLModel

from schemas.errors import RateLimited
from wallet_api.deps import StateDep
from wallet_api.expired_rows import ExpiredRowSweeper, ExpiringTable
from wallet_api.unit_of_work import autocommit_engine

TABLE_NAME = "rate_limit_window"
WINDOW_S = 60


class RateLimitWindow(SQLModel, table=True):
    """How many requests one client made to one bucket in one window."""

    __tablename__ = TABLE_NAME

    bucket: str = Field(sa_column=Column(String(32), primary_key=True))
    #: keyed sha-256 of the client address: no address sits in clear in the database
    client: str = Field(sa_column=Column(String(64), primary_key=True))
    window_start: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    count: int = Field(sa_column=Column(Integer, nullable=False))
    #: end of the window: the row is useless after it
    expires_at: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))


_TABLE = RateLimitWindow.__table__  # type: ignore[attr-defined]
WINDOWS = ExpiringTable.of(RateLimitWindow)


def _hit_statement(dialect_name: str) -> Executable:
    insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    statement = insert(_TABLE).values(
        bucket=bindparam("bucket"),
        client=bindparam("client"),
        window_start=bindparam("window_start"),
        count=1,
        expires_at=bindparam("expires_at"),
    )
    return statement.on_conflict_do_update(
        index_elements=["bucket", "client", "window_start"], set_={"count": _TABLE.c.count + 1}
    ).returning(_TABLE.c.count)


#: dialect name → its statement, built once (statement building costs more than the round trip)
_HIT: dict[str, Executable] = {}


class RateLimitBackend(Protocol):
    def hit(self, *, bucket: str, client: str, window_start: int, window_s: int) -> int:
        """Count one request; returns the count of its window including it."""


class DatabaseRateLimitBackend:
    """Counts in ``rate_limit_window``; sweeps expired windows every so many hits."""

    def __init__(self, engine: Engine, *, sweeper: ExpiredRowSweeper) -> None:
        self._engine = autocommit_engine(engine)
        self._sweeper = sweeper

    def hit(self, *, bucket: str, client: str, window_start: int, window_s: int) -> int:
        values = {"bucket": bucket, "client": client, "window_start": window_start, "expires_at": window_start + window_s}
        with self._engine.connect() as connection:
            dialect = connection.dialect.name
            statement = _HIT.get(dialect)
            if statement is None:
                statement = _HIT.setdefault(dialect, _hit_statement(dialect))
            count = int(connection.execute(statement, values).scalar_one())
            self._sweeper.after_insert(connection, WINDOWS, now=window_start)
        return count


def rate_limit_key(storage_key: str) -> bytes:
    """The key that hashes client addresses: derived from the storage key, so every worker
    agrees, and an address cannot be found from the table by hashing the address space."""
    return hashlib.sha256(b"ecert-rate-limit-client:" + storage_key.encode("utf-8")).digest()


class RateLimiter:
    """``limit`` requests per client per bucket per ``window_s``; ``limit`` 0 turns it off."""

    def __init__(self, backend: RateLimitBackend, *, limit: int, key: bytes, window_s: int = WINDOW_S) -> None:
        self.backend = backend
        self.limit = limit
        self.window_s = window_s
        self._key = key

    def client_key(self, address: str) -> str:
        return hmac.new(self._key, address.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()

    def check(self, *, bucket: str, address: str, now: int) -> None:
        """Count this request; raise ``RateLimited`` past the limit."""
        if self.limit <= 0:
            return
        window_start = now - now % self.window_s
        count = self.backend.hit(bucket=bucket, client=self.client_key(address), window_start=window_start, window_s=self.window_s)
        if count > self.limit:
            raise RateLimited(
                f"too many requests from this address; try again in {window_start + self.window_s - now} s",
                retry_after_s=max(1, window_start + self.window_s - now),
            )


def client_address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


def anonymous_limit(bucket: str) -> Callable[..., None]:
    """A dependency that counts the request in ``bucket`` (``dependencies=[Depends(...)]``).

    A plain ``def``: it does I/O, so FastAPI runs it in the threadpool. The one-hop routes
    (``/nonce``, ``/token``) call ``RateLimiter.check`` inside their unit instead.
    """

    def limit(request: Request, state: StateDep) -> None:
        state.rate_limiter.check(bucket=bucket, address=client_address(request), now=state.clock.epoch())

    limit.__name__ = f"rate_limit_{bucket}"
    return limit

