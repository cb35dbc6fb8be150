"""One threadpool hop per request: the unit of work of a hot route.

FastAPI runs every sync dependency and every sync endpoint in the threadpool, one hop each,
and a plain ``Session`` costs a BEGIN and a ROLLBACK/COMMIT round trip around its queries.
A hot route is therefore written as::

    @router.post("/x")
    async def x(body: Body, state: StateDep) -> dict:       # parse only, on the event loop
        return await in_one_hop(domain_call, state, body)   # everything with I/O, one hop

where ``domain_call`` opens its own session with one of the two scopes below, does all its
database work, commits and closes before the hop returns:

- ``transaction(engine)``: a normal transactional Session, for work whose writes must land
  together or not at all (issuance: nonce + grant + slot + record in one COMMIT);
- ``autocommit(engine)``: a Session on an AUTOCOMMIT connection, for reads and for work
  whose single write is atomic by itself (``INSERT … ON CONFLICT DO NOTHING RETURNING``):
  no BEGIN and no COMMIT round trips, each statement is its own transaction.

Both draw from the same connection pool; the autocommit scope only switches the pooled
connection's mode for the checkout (SQLAlchemy restores it on return, client-side).

The hottest routes (``POST /v1/verify``, ``POST /v1/qr/verify``) skip even that one hop
where the database has an async driver (PostgreSQL)::

    return await run_unit(state, domain_call, state, body)   # domain_call declares its unit

runs ``domain_call(session, ...)`` on the event loop, in a greenlet (SQLAlchemy's
``AsyncSession.run_sync``): the CPU work of a verification (~0.3 ms) runs inline and only
the database round trips are awaited, so there is no thread hand-off and no GIL ping-pong
between the loop and a worker thread. The domain code is the same synchronous code, with
the same session semantics. On SQLite (no async driver here) it falls back to one hop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any, Concatenate, Literal, ParamSpec, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import Session
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.concurrency import run_in_threadpool

from wallet_api.db.engines import make_async_engine
from wallet_api.state import AppState

P = ParamSpec("P")
T = TypeVar("T")

_AUTOCOMMIT: WeakKeyDictionary[Engine, Engine] = WeakKeyDictionary()
#: where a domain function's declared unit of work is kept
UNIT_ATTRIBUTE = "__unit_of_work__"

Scope = Literal["autocommit", "transaction"]


async def in_one_hop(call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run ``call`` (blocking: database, crypto) in the threadpool: the request's only hop."""
    return await run_in_threadpool(partial(call, *args, **kwargs))


def autocommit_engine(engine: Engine) -> Engine:
    """``engine`` with AUTOCOMMIT isolation, sharing its pool (built once per engine)."""
    found = _AUTOCOMMIT.get(engine)
    if found is None:
        found = engine.execution_options(isolation_level="AUTOCOMMIT")
        _AUTOCOMMIT[engine] = found
    return found


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A transactional Session; the caller commits. Anything uncommitted is rolled back on close."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def autocommit(engine: Engine) -> Iterator[Session]:
    """A Session whose every statement commits by itself: reads, and single atomic writes.

    ``session.commit()`` is harmless here (nothing is pending at the database), so domain
    functions written for a transactional Session run unchanged; what they must not rely
    on is two writes landing together.
    """
    with Session(autocommit_engine(engine), expire_on_commit=False) as session:
        yield session


@dataclass(frozen=True)
class AsyncEngines:
    transaction: AsyncEngine
    #: a pool of its own whose connections are made in AUTOCOMMIT mode: switching a pooled
    #: connection's mode per checkout (and back on return) cost more than the query
    autocommit: AsyncEngine

    async def dispose(self) -> None:
        await self.transaction.dispose()
        await self.autocommit.dispose()


def make_async_engines(engine: Engine) -> AsyncEngines | None:
    """The async twins of ``engine``, or None where the database has no async driver (SQLite
    here). The app lifespan creates them (in the running loop) and disposes them."""
    transactional = make_async_engine(engine)
    autocommitting = make_async_engine(engine, isolation_level="AUTOCOMMIT")
    if transactional is None or autocommitting is None:
        return None
    return AsyncEngines(transactional, autocommitting)


def reads_and_atomic_writes(call: Callable[P, T]) -> Callable[P, T]:
    """Declares a domain function's unit of work: an autocommit session (reads, and writes that
    are atomic by themselves, e.g. ``INSERT … ON CONFLICT DO NOTHING RETURNING``)."""
    setattr(call, UNIT_ATTRIBUTE, "autocommit")
    return call


def one_transaction(call: Callable[P, T]) -> Callable[P, T]:
    """Declares a domain function's unit of work: one transaction (its writes land together,
    when it commits, or not at all)."""
    setattr(call, UNIT_ATTRIBUTE, "transaction")
    return call


def declared_unit(call: Callable[..., Any]) -> Scope:
    try:
        return getattr(call, UNIT_ATTRIBUTE)  # type: ignore[no-any-return]
    except AttributeError:
        raise TypeError(f"{call!r} declares no unit of work (@reads_and_atomic_writes or @one_transaction)") from None


def _with_session(engine: Engine, scope: Scope, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    with (autocommit(engine) if scope == "autocommit" else transaction(engine)) as session:
        return call(session, *args, **kwargs)


async def run_unit(state: AppState, call: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run ``call(session, *args, **kwargs)`` in the unit of work it declares: inline on the
    event loop with awaited I/O where an async driver exists, else in one threadpool hop.

    ``call`` is ordinary blocking code; it must not block on anything but this session
    (a rare cache refill through ``state.engine`` blocks the loop for that query only).
    """
    scope = declared_unit(call)
    engines = state.async_engines
    if engines is None:
        return await in_one_hop(_with_session, state.engine, scope, call, *args, **kwargs)
    engine = engines.autocommit if scope == "autocommit" else engines.transaction
    async with AsyncSession(engine, expire_on_commit=False) as session:
        return await session.run_sync(call, *args, **kwargs)
