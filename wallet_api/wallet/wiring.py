"""Builds what the wallet functions need from the app state: providers, fetcher, contexts."""

from __future__ import annotations

from typing import Any

from keys.sealing import Sealer
from wallet_api.issuing import sealer
from wallet_api.state import AppState
from wallet_api.verifier_wiring import verifier_services
from wallet_api.wallet.credential_views import StatusReader
from wallet_api.wallet.dev_identity_provider import DevIdentityProvider
from wallet_api.outbound_wiring import outbound_fetcher
from wallet_api.wallet.fetching import Fetcher, InProcessFetcher
from wallet_api.wallet.identity_providers import IdentityProvider, configured_providers
from wallet_api.wallet.presentations import WalletContext
from wallet_api.wallet.share_links import ShareLinkPolicy

PROVIDERS_KEY = "wallet_identity_providers"
DEV_PROVIDER_KEY = "wallet_dev_identity_provider"
#: tests (or an embedding app) put a Fetcher here for origins other than our own
EXTERNAL_FETCHER_KEY = "wallet_external_fetcher"


def dev_identity_provider(state: AppState) -> DevIdentityProvider:
    found = state.extras.get(DEV_PROVIDER_KEY)
    if not isinstance(found, DevIdentityProvider):
        found = DevIdentityProvider(state.settings)
        state.extras[DEV_PROVIDER_KEY] = found
    return found


def identity_providers(state: AppState) -> dict[str, IdentityProvider]:
    found = state.extras.get(PROVIDERS_KEY)
    if not isinstance(found, dict):
        found = configured_providers(state.settings)
        if state.settings.environment == "development":
            dev = dev_identity_provider(state).as_trusted()
            found[dev.issuer] = dev
        state.extras[PROVIDERS_KEY] = found
    return found


def wallet_sealer(state: AppState) -> Sealer:
    return sealer(state)


def status_reader(state: AppState) -> StatusReader:
    return StatusReader(
        checker=verifier_services(state).status_checker,
        sealer=sealer(state),
        expiring_soon_days=state.settings.expiring_soon_days,
        now=state.clock.now(),
    )


def wallet_context(state: AppState) -> WalletContext:
    return WalletContext(
        registry=state.registry,
        sealer=sealer(state),
        reader=status_reader(state),
        issuer_id=state.settings.issuer_id,
        consent_ttl_s=state.settings.consent_ttl_s,
    )


def share_link_policy(state: AppState) -> ShareLinkPolicy:
    settings = state.settings
    return ShareLinkPolicy(settings.issuer_id, settings.share_link_ttl_s, settings.share_link_max_code_attempts)


def fetcher(state: AppState, app: Any) -> Fetcher:
    """Our own origin in-process, every other URL through the app's one outbound fetcher."""
    external = state.extras.get(EXTERNAL_FETCHER_KEY) or outbound_fetcher(state)
    return InProcessFetcher(app, state.settings.issuer_id, external)  # type: ignore[arg-type]
