"""The relying-party dependency: ``Authorization: Bearer <api_key>`` → the party.

Parties are served from a per-process cache keyed by the API key's sha-256, each entry
trusted for ``RP_CACHE_TTL_S`` seconds: a key that is deleted or deactivated stops working
within that bound on every worker (not at once). What is cached is a slowly changing public
registration (name, allowed claims, profile), never a decision that workers must share;
nonces and single-use marks stay in the database. Unknown keys are not cached, so made-up
keys cannot fill memory, and they cost one query each, as before.

The dependency is ``async``: a hit costs no threadpool hop and no query; a miss costs one
hop with one autocommit query (no BEGIN/ROLLBACK round trips).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, Request

from schemas.errors import AuthError
from verifiers.models import RelyingParty
from verifiers.relying_parties import authenticate, hash_api_key
from wallet_api.deps import state_of
from wallet_api.state import AppState
from wallet_api.unit_of_work import autocommit, in_one_hop

#: how long a deleted or deactivated relying-party key may keep working on a worker
RP_CACHE_TTL_S = 30.0
#: bound on entries: past it the cache is simply emptied (parties re-load on their next call)
RP_CACHE_MAX = 10_000
_CACHE_KEY = "relying_party_cache"


class RelyingPartyCache:
    def __init__(self, ttl_s: float = RP_CACHE_TTL_S, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._ttl_s = ttl_s
        self._monotonic = monotonic
        self._parties: dict[str, tuple[RelyingParty, float]] = {}

    def get(self, key_hash: str) -> RelyingParty | None:
        found = self._parties.get(key_hash)
        if found is None or self._monotonic() - found[1] >= self._ttl_s:
            return None
        return found[0]

    def put(self, key_hash: str, party: RelyingParty) -> None:
        if len(self._parties) >= RP_CACHE_MAX:
            self._parties = {}
        self._parties[key_hash] = (party, self._monotonic())


def relying_party_cache(state: AppState) -> RelyingPartyCache:
    found = state.extras.get(_CACHE_KEY)
    if not isinstance(found, RelyingPartyCache):
        found = RelyingPartyCache()
        state.extras[_CACHE_KEY] = found
    return found


def bearer_token(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("relying-party calls carry Authorization: Bearer <api_key>")
    return token.strip()


def _load(state: AppState, api_key: str) -> RelyingParty:
    # a detached row (expire_on_commit=False): requests only read its attributes
    with autocommit(state.engine) as session:
        return authenticate(session, api_key=api_key)


async def current_relying_party(request: Request, authorization: Annotated[str | None, Header()] = None) -> RelyingParty:
    # the state from the request, not StateDep: one dependency less to solve on every call
    state = state_of(request)
    api_key = bearer_token(authorization)
    cache = relying_party_cache(state)
    key_hash = hash_api_key(api_key)
    party = cache.get(key_hash)
    if party is None:
        party = await in_one_hop(_load, state, api_key)
        cache.put(key_hash, party)
    return party


CurrentRelyingParty = Annotated[RelyingParty, Depends(current_relying_party)]
