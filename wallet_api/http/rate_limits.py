"""Rate limits on guessing and flooding, counted where every worker sees them.

A fixed window of ``WINDOW_S`` per (bucket, subject): ``bucket`` names what is limited
(``auth_challenge``, ``oid4vci_token``, ``verify``, …), the subject is the request's address
(behind a reverse proxy, run uvicorn with ``--proxy-headers`` and ``--forwarded-allow-ips``
so that this is the caller and not the proxy) or a credential the request names (a
pre-authorized code, a device, a person, a shared link, a party, a relying party). Three
classes of limit, each a setting:

- ``anonymous``: per address on the anonymous routes that write;
- ``credential``: per credential on the routes where a secret can be guessed (low);
- ``verify``: per address and per relying party on ``/v1/verify`` and ``/v1/qr/verify``
  (flood protection only: far above a busy counter or a load test).

All the limits of one request are counted together in one round trip: in the database one
multi-row ``INSERT … ON CONFLICT DO UPDATE SET count = count + 1 RETURNING`` into
``rate_limit_window`` (SQLite ≥ 3.35 and PostgreSQL, autocommit, so a request that fails
later is still counted), or with ``ECERT_REDIS_URL`` one Redis pipeline of ``INCR`` +
``EXPIRE`` per key. Past a limit the answer is 429 ``rate_limited`` with ``Retry-After``
(seconds to the next window). Subjects are stored as keyed hashes, never in clear; windows
expire (Redis) or are swept like any other expiring row (``expired_rows``, ``maintenance``).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from fastapi import Request
from sqlalchemy import BigInteger, Column, Integer, String, text
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel import create_engine
from sqlalchemy.sql import Executable
from sqlmodel import Field, SQLModel
from starlette.concurrency import run_in_threadpool

from keys.json_document import read_json
from schemas.errors import RateLimited
from wallet_api.deps import StateDep
from wallet_api.db.expired_rows import ExpiredRowSweeper, ExpiringTable
from wallet_api.db.engines import ENGINE_OPTIONS
from wallet_api.db.unit_of_work import autocommit_engine

if TYPE_CHECKING:
    from wallet_api.settings import Settings
    from wallet_api.state import AppState

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


WINDOWS = ExpiringTable.of(RateLimitWindow)


def _hit_statement(dialect_name: str, rows: int) -> Executable:
    """The upsert for ``rows`` windows, one per (dialect, rows). Written as text: SQLAlchemy
    cannot cache a multi-row ``insert().values([...])`` and compiled it on every request
    (~0.5 ms, three times the round trip); the SQL is the same on PostgreSQL and SQLite."""
    found = _HIT.get((dialect_name, rows))
    if found is not None:
        return found
    values = ", ".join(f"(:bucket{i}, :client{i}, :window_start, 1, :expires_at)" for i in range(rows))
    built = text(
        f"INSERT INTO {TABLE_NAME} (bucket, client, window_start, count, expires_at) VALUES {values} "
        f"ON CONFLICT (bucket, client, window_start) DO UPDATE SET count = {TABLE_NAME}.count + 1 "
        "RETURNING bucket, client, count"
    )
    return _HIT.setdefault((dialect_name, rows), built)


def _hit_values(keys: Sequence[tuple[str, str]], window_start: int, window_s: int) -> dict[str, Any]:
    values: dict[str, Any] = {"window_start": window_start, "expires_at": window_start + window_s}
    for i, (bucket, client) in enumerate(keys):
        values[f"bucket{i}"] = bucket
        values[f"client{i}"] = client
    return values


#: (dialect name, rows) → its statement
_HIT: dict[tuple[str, int], Executable] = {}


class RateLimitBackend(Protocol):
    def hit_many(self, keys: Sequence[tuple[str, str]], *, window_start: int, window_s: int) -> list[int]:
        """Count one request in each (bucket, client) window, in one round trip; returns the
        counts including it, in the order of ``keys``."""

    async def hit_many_async(self, keys: Sequence[tuple[str, str]], *, window_start: int, window_s: int) -> list[int]:
        """``hit_many`` awaited on the event loop."""

    async def aclose(self) -> None:
        """Close the backend's own connections."""


def _counts_in_order(keys: Sequence[tuple[str, str]], rows: Any) -> list[int]:
    # RETURNING of a multi-row INSERT has no promised order: match rows back to their keys
    found = {(bucket, client): int(count) for bucket, client, count in rows}
    return [found[key] for key in keys]


#: a count lost in a crash costs nothing, so PostgreSQL need not wait for the WAL flush of each
#: counter's commit: that flush made the check cost as much as the verification it guards
_PG_COUNTER_CONNECT_ARGS = {"options": "-c synchronous_commit=off"}
#: the counters' own pools, per worker: one short statement per request
_COUNTER_POOL_SIZE = 8


class DatabaseRateLimitBackend:
    """Counts in ``rate_limit_window``; sweeps expired windows every so many hits.

    Every (bucket, client) pair of a request is one row of a single multi-row
    ``INSERT … ON CONFLICT DO UPDATE … RETURNING``: one round trip however many limits apply.
    On PostgreSQL the counters have pools of their own (AUTOCOMMIT, ``synchronous_commit``
    off, see above); the async one serves the routes that run on the event loop.
    """

    def __init__(self, engine: Engine, *, sweeper: ExpiredRowSweeper) -> None:
        self._sweeper = sweeper
        self._own_pool = engine.dialect.name == "postgresql"
        if self._own_pool:
            self._engine = create_engine(
                engine.url, isolation_level="AUTOCOMMIT", connect_args=_PG_COUNTER_CONNECT_ARGS,
                pool_size=_COUNTER_POOL_SIZE, max_overflow=_COUNTER_POOL_SIZE, pool_recycle=1800, **ENGINE_OPTIONS,
            )
        else:
            self._engine = autocommit_engine(engine)
        #: the async pool is bound to the loop that made its connections: one per loop
        self._async: tuple[asyncio.AbstractEventLoop, AsyncEngine] | None = None

    def hit(self, *, bucket: str, client: str, window_start: int, window_s: int) -> int:
        return self.hit_many([(bucket, client)], window_start=window_start, window_s=window_s)[0]

    def hit_many(self, keys: Sequence[tuple[str, str]], *, window_start: int, window_s: int) -> list[int]:
        with self._engine.connect() as connection:
            statement = _hit_statement(connection.dialect.name, len(keys))
            rows = connection.execute(statement, _hit_values(keys, window_start, window_s)).all()
            self._sweeper.after_insert(connection, WINDOWS, now=window_start)
        return _counts_in_order(keys, rows)

    def _async_engine(self) -> AsyncEngine | None:
        if not self._own_pool or self._engine.dialect.driver != "psycopg":
            return None
        loop = asyncio.get_running_loop()
        if self._async is None or self._async[0] is not loop:
            if self._async is not None:  # a closed test loop's pool: drop it unawaited
                self._async[1].sync_engine.dispose(close=False)
            engine = create_async_engine(
                self._engine.url, isolation_level="AUTOCOMMIT", connect_args=_PG_COUNTER_CONNECT_ARGS,
                pool_size=_COUNTER_POOL_SIZE, max_overflow=0, pool_timeout=30, pool_recycle=1800, **ENGINE_OPTIONS,
            )
            self._async = (loop, engine)
        return self._async[1]

    async def hit_many_async(self, keys: Sequence[tuple[str, str]], *, window_start: int, window_s: int) -> list[int]:
        """The same statement awaited on the loop (no thread hop); SQLite: one threadpool hop."""
        engine = self._async_engine()
        if engine is None:
            return await run_in_threadpool(self.hit_many, keys, window_start=window_start, window_s=window_s)
        async with engine.connect() as connection:
            statement = _hit_statement(connection.dialect.name, len(keys))
            rows = (await connection.execute(statement, _hit_values(keys, window_start, window_s))).all()
            # expired windows are swept by the sync path's share of hits and by ecert maintenance
        return _counts_in_order(keys, rows)

    async def aclose(self) -> None:
        if self._async is not None:
            await self._async[1].dispose()
            self._async = None
        if self._own_pool:
            self._engine.dispose()


def rate_limit_key(storage_key: str) -> bytes:
    """The key that hashes client addresses: derived from the storage key, so every worker
    agrees, and an address cannot be found from the table by hashing the address space."""
    return hashlib.sha256(b"ecert-rate-limit-client:" + storage_key.encode("utf-8")).digest()


@dataclass(frozen=True)
class Hit:
    """One limit a request counts against: ``subject`` (an address or a credential, hashed
    before it is stored) may make ``limit`` requests per window to ``bucket``; 0 is no limit."""

    bucket: str
    subject: str
    limit: int


def on_rate_limited(bucket: str) -> None:
    """Called on each refusal: counted for GET /metrics."""
    from wallet_api.http.metrics import record_rate_limited

    record_rate_limited(bucket)


class RateLimiter:
    """Fixed windows of ``window_s`` per (bucket, subject), counted by ``backend``.

    ``limit`` is the per-address limit of the anonymous routes (``check``); ``limits`` holds
    the other classes (``credential``, ``verify``) for ``hits``.
    """

    def __init__(
        self,
        backend: RateLimitBackend,
        *,
        limit: int,
        key: bytes,
        window_s: int = WINDOW_S,
        limits: Mapping[str, int] | None = None,
    ) -> None:
        self.backend = backend
        self.limit = limit
        self.window_s = window_s
        self.limits: dict[str, int] = {"anonymous": limit, **(limits or {})}
        self._key = key

    def client_key(self, address: str) -> str:
        return hmac.new(self._key, address.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()

    def hit(self, bucket: str, subject: str, limit_class: str) -> Hit:
        return Hit(bucket, subject, self.limits.get(limit_class, 0))

    def _counted(self, hits: Sequence[Hit]) -> list[Hit]:
        return [hit for hit in hits if hit.limit > 0]

    def _window(self, now: int) -> int:
        return now - now % self.window_s

    def _judge(self, hits: Sequence[Hit], counts: Sequence[int], *, now: int) -> None:
        window_start = self._window(now)
        for hit, count in zip(hits, counts, strict=True):
            if count > hit.limit:
                on_rate_limited(hit.bucket)
                retry_after = max(1, window_start + self.window_s - now)
                raise RateLimited(f"too many requests; try again in {retry_after} s", retry_after_s=retry_after)

    def _keys(self, hits: Sequence[Hit]) -> list[tuple[str, str]]:
        return [(hit.bucket, self.client_key(hit.subject)) for hit in hits]

    def check_hits(self, hits: Sequence[Hit], *, now: int) -> None:
        """Count this request against every limit in ``hits`` at once (one round trip); raise
        ``RateLimited`` when any is past its limit. Blocking: call it in the threadpool."""
        counted = self._counted(hits)
        if not counted:
            return
        counts = self.backend.hit_many(self._keys(counted), window_start=self._window(now), window_s=self.window_s)
        self._judge(counted, counts, now=now)

    async def check_hits_async(self, hits: Sequence[Hit], *, now: int) -> None:
        """``check_hits`` from the event loop, for the routes that run on it (``/v1/verify``):
        an awaited Redis pipeline or PostgreSQL upsert; on SQLite one threadpool hop."""
        counted = self._counted(hits)
        if not counted:
            return
        counts = await self.backend.hit_many_async(self._keys(counted), window_start=self._window(now), window_s=self.window_s)
        self._judge(counted, counts, now=now)

    async def aclose(self) -> None:
        """Close the backend's own connections (the app lifespan's end)."""
        await self.backend.aclose()

    def check(self, *, bucket: str, address: str, now: int, credential: tuple[str, str] | None = None) -> None:
        """The anonymous routes: ``limit`` per address per ``bucket`` and, with ``credential``
        (what it is, its value), the ``credential`` class per credential, counted together."""
        hits = [Hit(bucket, address, self.limit)]
        if credential is not None:
            kind, value = credential
            hits.append(self.hit(f"{bucket}:{kind}"[:32], value, "credential"))
        self.check_hits(hits, now=now)


class RedisRateLimitBackend:
    """Counts in Redis (``ECERT_REDIS_URL``): per window one key, ``INCR`` and ``EXPIRE`` of
    every key of a request in one pipeline (MULTI/EXEC), one round trip. Keys carry
    ``prefix`` so that a shared Redis (and a test) can tell them apart."""

    def __init__(self, url: str, *, prefix: str = "ecert:rl:") -> None:
        import redis

        self.url = url
        self.prefix = prefix
        self._sync = redis.Redis.from_url(url)
        #: the asyncio client is bound to the loop that made its connections: one per loop
        self._async: tuple[asyncio.AbstractEventLoop, Any] | None = None

    def _key(self, bucket: str, client: str, window_start: int) -> str:
        return f"{self.prefix}{bucket}:{client}:{window_start}"

    def hit_many(self, keys: Sequence[tuple[str, str]], *, window_start: int, window_s: int) -> list[int]:
        pipe = self._sync.pipeline(transaction=True)
        for bucket, client in keys:
            key = self._key(bucket, client, window_start)
            pipe.incr(key)
            pipe.expire(key, window_s + 1)
        return [int(n) for n in pipe.execute()[::2]]

    def _async_client(self) -> Any:
        import redis.asyncio

        loop = asyncio.get_running_loop()
        if self._async is None or self._async[0] is not loop:
            self._async = (loop, redis.asyncio.Redis.from_url(self.url))
        return self._async[1]

    async def hit_many_async(self, keys: Sequence[tuple[str, str]], *, window_start: int, window_s: int) -> list[int]:
        pipe = self._async_client().pipeline(transaction=True)
        for bucket, client in keys:
            key = self._key(bucket, client, window_start)
            pipe.incr(key)
            pipe.expire(key, window_s + 1)
        return [int(n) for n in (await pipe.execute())[::2]]

    async def aclose(self) -> None:
        if self._async is not None:
            await self._async[1].aclose()
            self._async = None
        self._sync.close()


def client_address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


def anonymous_limit(bucket: str) -> Callable[..., None]:
    """A dependency that counts the request in ``bucket`` (``dependencies=[Depends(...)]``).

    A plain ``def``: it does I/O, so FastAPI runs it in the threadpool. The one-hop routes
    (``/nonce``, ``/token``) call ``RateLimiter.check`` inside their unit instead; routes
    with a credential in their body call ``limit_anonymous`` in their endpoint.
    """

    def limit(request: Request, state: StateDep) -> None:
        state.rate_limiter.check(bucket=bucket, address=client_address(request), now=state.clock.epoch())

    limit.__name__ = f"rate_limit_{bucket}"
    return limit


def limit_anonymous(state: "AppState", request: Request, bucket: str, *, kind: str, credential: str) -> None:
    """Per address and per credential (``kind``: device, link, party, …) in one round trip."""
    state.rate_limiter.check(
        bucket=bucket, address=client_address(request), now=state.clock.epoch(), credential=(kind, credential)
    )


async def limit_verification(state: "AppState", request: Request, bucket: str, *, party: str) -> None:
    """The verification routes: per address and per relying party, ``verify`` class, awaited
    on the loop (see ``RateLimiter.check_hits_async``)."""
    limiter = state.rate_limiter
    hits = [limiter.hit(bucket, client_address(request), "verify"), limiter.hit(f"{bucket}:rp", party, "verify")]
    if not any(hit.limit > 0 for hit in hits):
        return
    await limiter.check_hits_async(hits, now=state.clock.epoch())


#: the verification routes' flood limit when Redis counts (see Settings.rate_limit_verify_per_minute)
REDIS_VERIFY_PER_MINUTE = 300_000


def verify_limit(settings: "Settings") -> int:
    if settings.rate_limit_verify_per_minute is not None:
        return settings.rate_limit_verify_per_minute
    return REDIS_VERIFY_PER_MINUTE if settings.redis_url else 0


def build_rate_limiter(settings: "Settings", engine: Engine, *, sweeper: ExpiredRowSweeper) -> RateLimiter:
    """Redis when ``ECERT_REDIS_URL`` is set, else the database; limits from the settings."""
    backend: RateLimitBackend
    if settings.redis_url:
        backend = RedisRateLimitBackend(settings.redis_url, prefix=settings.redis_key_prefix)
    else:
        backend = DatabaseRateLimitBackend(engine, sweeper=sweeper)
    return RateLimiter(
        backend,
        limit=settings.rate_limit_anonymous_per_minute,
        key=rate_limit_key(settings.effective_storage_key),
        limits={
            "credential": settings.rate_limit_credential_per_minute,
            "verify": verify_limit(settings),
        },
    )


def asserted_identity(assertion: str) -> str:
    """Who an identity assertion (a JWT) names, read unverified: ``iss`` and ``sub``, the
    enrolment's credential to count. Unreadable: the whole assertion (it is hashed anyway)."""
    try:
        segment = assertion.split(".")[1]
        # the bounded reader: the assertion is the caller's input, nested arbitrarily deep
        claims = read_json(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
        return f"{claims.get('iss')}|{claims.get('sub')}" if isinstance(claims, dict) else assertion
    except (IndexError, ValueError):  # JSONDocumentRefused is a ValueError
        return assertion
