"""The one outbound fetcher of the app, built from the settings once per app state.

Everything that fetches a URL named outside this service (the wallet's request objects and
response endpoints, the verifier's status lists and trust-list JWKS) takes it from here.
It is built once at start-up (``AppState.outbound``); tests that need another trust anchor
(a local https server) replace it.
"""

from __future__ import annotations

from verifiers.outbound_http import FetchPolicy
from wallet_api.settings import Settings


def fetch_policy(settings: Settings) -> FetchPolicy:
    return FetchPolicy.for_environment(
        settings.environment,
        allow_hosts=tuple(settings.outbound_allow_hosts),
        timeout_s=settings.outbound_timeout_s,
    )

