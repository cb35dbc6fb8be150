"""The one outbound fetcher of the app, built from the settings once per app state.

Everything that fetches a URL named outside this service (the wallet's request objects and
response endpoints, the verifier's status lists and trust-list JWKS) takes it from here.
Tests that need another trust anchor (a local https server) put their own
``OutboundFetcher`` under ``OUTBOUND_FETCHER_KEY`` before the first fetch.
"""

from __future__ import annotations

from verifiers.outbound_http import FetchPolicy, OutboundFetcher
from wallet_api.settings import Settings
from wallet_api.state import AppState

OUTBOUND_FETCHER_KEY = "outbound_fetcher"


def fetch_policy(settings: Settings) -> FetchPolicy:
    return FetchPolicy.for_environment(
        settings.environment,
        allow_hosts=tuple(settings.outbound_allow_hosts),
        timeout_s=settings.outbound_timeout_s,
    )


def outbound_fetcher(state: AppState) -> OutboundFetcher:
    found = state.extras.get(OUTBOUND_FETCHER_KEY)
    if not isinstance(found, OutboundFetcher):
        found = OutboundFetcher(fetch_policy(state.settings))
        state.extras[OUTBOUND_FETCHER_KEY] = found
    return found
