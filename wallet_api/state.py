"""What the running app holds: every long-lived object, built once by ``bootstrap.build_state``
(the async engines by the app lifespan), typed, reached through one dependency each."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

from keys.store import SignerCache
from schemas.registry import TypeRegistry
from wallet_api.clock import Clock
from wallet_api.db.expired_rows import ExpiredRowSweeper
from wallet_api.settings import Settings

if TYPE_CHECKING:
    from issuers.adapters import SourceAdapter
    from issuers.synthetic_registry import SyntheticPopulation
    from issuers.status_lists.allocator import StatusListAllocator
    from keys.sealing import Sealer
    from keys.store import PublishedKeyCache
    from verifiers.outbound_http import OutboundFetcher
    from verifiers.qr.profiles import QrProfile
    from verifiers.verifier_services import VerifierServices
    from wallet_api.console.request_templates import RequestTemplate
    from wallet_api.qr.services import CachedKeyIndex
    from wallet_api.http.rate_limits import RateLimiter
    from wallet_api.auth.relying_parties import RelyingPartyCache
    from wallet_api.db.unit_of_work import AsyncEngines
    from wallet_api.wallet.dev_identity_provider import DevIdentityProvider
    from wallet_api.wallet.fetching import Fetcher
    from wallet_api.wallet.identity_providers import IdentityProvider


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    registry: TypeRegistry
    clock: Clock
    signers: SignerCache
    #: bounded sweeps of expired rows on the request path (see expired_rows)
    sweeper: ExpiredRowSweeper
    #: limits for anonymous callers, counted in the database (see rate_limits)
    rate_limiter: RateLimiter
    #: AES-GCM for data at rest (credentials in wallets, sealed results, declarations)
    sealer: Sealer
    #: the synthetic agency registries and one adapter per agency
    population: SyntheticPopulation
    adapters: dict[str, SourceAdapter]
    status_allocator: StatusListAllocator
    #: every fetch of a URL named outside this service goes through it
    outbound: OutboundFetcher
    #: relying parties by API key, re-validated against the registry version
    relying_parties: RelyingPartyCache
    #: our issuer's verification keys by kid (the SD-JWT verifier's and status lists')
    published_keys: PublishedKeyCache
    qr_profiles: dict[str, QrProfile]
    console_templates: dict[str, RequestTemplate]
    #: enrolment: trusted identity providers; the development one mints assertions
    identity_providers: dict[str, IdentityProvider]
    dev_identity_provider: DevIdentityProvider | None
    #: the verifier: trust list, status checker, request settings (needs the state itself)
    verifier: VerifierServices = field(init=False)
    #: the QR desk's issuer keys, re-read when stale (wallet_api.qr.services.issuer_key_index)
    qr_key_index: CachedKeyIndex | None = None
    #: async twins of ``engine`` where the driver is async (PostgreSQL); the app lifespan
    #: creates and disposes them
    async_engines: AsyncEngines | None = None
    #: the wallet fetches other origins through this when set (tests, an embedding app);
    #: otherwise through ``outbound``
    external_fetcher: Fetcher | None = None

    @property
    def max_validity(self) -> timedelta:
        """No credential outlives this: how long a retired key stays published."""
        return timedelta(days=max((t.validity_days for t in self.registry.all()), default=365))
