"""The relying-party dependency: ``Authorization: Bearer <api_key>`` → the party.

Parties are served from a per-process cache keyed by the API key's sha-256. The cache is
tied to the registry version (``verifiers_relying_party_registry_version``), which every
deactivation and key rotation raises in the same transaction: a worker re-reads that one
row at most once per ``RP_VERSION_RECHECK_S`` and drops its cache when it moved, so a
deactivated party or a rotated-out key stops working on every worker within that second,
and a hit costs no query in between. Entries carry the version read *before* their row,
so a row loaded just before a change can never outlive it in the cache.

What is cached is a slowly changing public registration (name, allowed claims, profile),
never a decision that workers must share; nonces and single-use marks stay in the
database. Unknown keys are not cached, so made-up keys cannot fill memory, and they cost
one query each, as before.

The dependency is ``async``: a hit costs no threadpool hop and no query; a miss costs one
hop with one autocommit session (no BEGIN/ROLLBACK round trips).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlmodel import Session

from schemas.errors import AuthError
from verifiers.models import RelyingParty
from verifiers.relying_parties import authenticate, hash_api_key, registry_version
from wallet_api.deps import state_of
from wallet_api.state import AppState
from wallet_api.db.unit_of_work import autocommit, in_one_hop, reads_and_atomic_writes, run_unit

#: how long a deleted, deactivated or rotated-out relying-party key may keep working on a worker
RP_VERSION_RECHECK_S = 1.0
#: bound on entries: past it the cache is simply emptied (parties re-load on their next call)
RP_CACHE_MAX = 10_000


class RelyingPartyCache:
    def __init__(self, recheck_s: float = RP_VERSION_RECHECK_S, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._recheck_s = recheck_s
        self._monotonic = monotonic
        #: key hash → (party, the registry version read before the party's row)
        self._parties: dict[str, tuple[RelyingParty, int]] = {}
        self._version: int | None = None
        self._checked_at = float("-inf")
        #: the version read in flight, which concurrent requests wait for
        self._pending: asyncio.Future[None] | None = None

    async def refresh_if_due(self, read_version: Callable[[], Awaitable[int]]) -> None:
        """Re-read the registry version when the last read started ``recheck_s`` ago or more.

        Requests that find a read already in flight wait for it rather than answer from the
        cache meanwhile (that would serve a dead key past the bound) or start their own.
        """
        if self._monotonic() - self._checked_at < self._recheck_s:
            return
        loop = asyncio.get_running_loop()
        pending = self._pending
        if pending is not None and pending.get_loop() is loop:
            await asyncio.shield(pending)
            return
        pending = loop.create_future()
        self._pending = pending
        started = self._monotonic()
        try:
            self.observe(await read_version())
            # the start of the read: anything committed before it is in what was read
            self._checked_at = started
        finally:
            self._pending = None
            pending.set_result(None)

    def observe(self, version: int) -> None:
        """The registry version just read; a newer one than known empties the cache."""
        if self._version is None or version > self._version:
            self._parties = {}
            self._version = version

    def get(self, key_hash: str) -> RelyingParty | None:
        found = self._parties.get(key_hash)
        if found is None or found[1] != self._version:
            return None
        return found[0]

    def put(self, key_hash: str, party: RelyingParty, version: int) -> None:
        self.observe(version)
        if version != self._version:
            return  # read under an older version than one already seen: not worth keeping
        if len(self._parties) >= RP_CACHE_MAX:
            self._parties = {}
        self._parties[key_hash] = (party, version)


def bearer_token(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("relying-party calls carry Authorization: Bearer <api_key>")
    return token.strip()


def _load(state: AppState, api_key: str) -> tuple[RelyingParty, int]:
    # the version first: a change committed between the two reads makes the entry stale at once
    # a detached row (expire_on_commit=False): requests only read its attributes
    with autocommit(state.engine) as session:
        version = registry_version(session)
        return authenticate(session, api_key=api_key), version


@reads_and_atomic_writes
def _read_version(session: Session) -> int:
    return registry_version(session)


async def current_relying_party(request: Request, authorization: Annotated[str | None, Header()] = None) -> RelyingParty:
    # the state from the request, not StateDep: one dependency less to solve on every call
    state = state_of(request)
    api_key = bearer_token(authorization)
    cache = state.relying_parties
    await cache.refresh_if_due(lambda: run_unit(state, _read_version))
    key_hash = hash_api_key(api_key)
    party = cache.get(key_hash)
    if party is None:
        party, version = await in_one_hop(_load, state, api_key)
        cache.put(key_hash, party, version)
    return party


CurrentRelyingParty = Annotated[RelyingParty, Depends(current_relying_party)]
