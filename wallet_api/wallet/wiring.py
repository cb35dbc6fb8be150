"""Builds what the wallet functions need from the app state: providers, fetcher, contexts."""

from __future__ import annotations

from typing import Any

from wallet_api.settings import Settings
from wallet_api.state import AppState
from wallet_api.wallet.credential_views import StatusReader
from wallet_api.wallet.dev_identity_provider import DevIdentityProvider
from wallet_api.wallet.fetching import Fetcher, InProcessFetcher
from wallet_api.wallet.identity_providers import IdentityProvider, configured_providers
from wallet_api.wallet.presentations import WalletContext
from wallet_api.wallet.share_links import ShareLinkPolicy


def build_identity_providers(settings: Settings) -> tuple[dict[str, IdentityProvider], DevIdentityProvider | None]:
    """Trusted identity providers for enrolment; in development also the built-in one that
    mints assertions (``POST /v1/dev/identity-assertions``)."""
    providers = configured_providers(settings)
    dev = None
    if settings.environment == "development":
        dev = DevIdentityProvider(settings)
        trusted = dev.as_trusted()
        providers[trusted.issuer] = trusted
    return providers, dev


def status_reader(state: AppState) -> StatusReader:
    return StatusReader(
        checker=state.verifier.status_checker,
        sealer=state.sealer,
        expiring_soon_days=state.settings.expiring_soon_days,
        now=state.clock.now(),
    )


def wallet_context(state: AppState) -> WalletContext:
    return WalletContext(
        registry=state.registry,
        sealer=state.sealer,
        reader=status_reader(state),
        issuer_id=state.settings.issuer_id,
        consent_ttl_s=state.settings.consent_ttl_s,
    )


def share_link_policy(state: AppState) -> ShareLinkPolicy:
    settings = state.settings
    return ShareLinkPolicy(settings.issuer_id, settings.share_link_ttl_s, settings.share_link_max_code_attempts)


def fetcher(state: AppState, app: Any) -> Fetcher:
    """Our own origin in-process, every other URL through the app's one outbound fetcher."""
    external = state.external_fetcher or state.outbound
    return InProcessFetcher(app, state.settings.issuer_id, external)  # type: ignore[arg-type]
