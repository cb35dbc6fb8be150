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
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import ParamSpec, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

P = ParamSpec("P")
T = TypeVar("T")

_AUTOCOMMIT: WeakKeyDictionary[Engine, Engine] = WeakKeyDictionary()


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
