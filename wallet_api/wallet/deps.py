"""The wallet's dependencies as Annotated aliases (beside ``wallet_api.deps``, which holds the
app-wide ones)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from wallet_api.deps import StateDep
from wallet_api.wallet import wiring
from wallet_api.wallet.credential_views import StatusReader
from wallet_api.wallet.fetching import Fetcher
from wallet_api.wallet.presentations import WalletContext
from wallet_api.wallet.share_links import ShareLinkPolicy

# ``async def``: these only read app state, and a sync dependency costs a threadpool hop


async def _context(state: StateDep) -> WalletContext:
    return wiring.wallet_context(state)


async def _reader(state: StateDep) -> StatusReader:
    return wiring.status_reader(state)


async def _fetcher(state: StateDep, request: Request) -> Fetcher:
    return wiring.fetcher(state, request.app)


async def _policy(state: StateDep) -> ShareLinkPolicy:
    return wiring.share_link_policy(state)


WalletContextDep = Annotated[WalletContext, Depends(_context)]
StatusReaderDep = Annotated[StatusReader, Depends(_reader)]
FetcherDep = Annotated[Fetcher, Depends(_fetcher)]
ShareLinkPolicyDep = Annotated[ShareLinkPolicy, Depends(_policy)]
