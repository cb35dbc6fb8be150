"""Start-up work shared by the server lifespan and the CLI: database, migrations, keys, types."""

from __future__ import annotations

from sqlmodel import Session

from issuers.adapters import build_adapters
from issuers.synthetic_registry import built_population
from issuers.status_lists.allocator import StatusListAllocator
from issuers.audit_trail import ACTOR_SYSTEM
from keys.store import ACTIVE_KEY_RECHECK_S, SignerCache, active_key, ensure_active_key
from schemas.registry import load_registry
from wallet_api.admin.audit_log import record_key_event
from wallet_api.clock import Clock, SystemClock
from wallet_api.db.engines import make_engine, run_migrations
from wallet_api.db.private_files import ensure_private_dir
from wallet_api.db.expired_rows import ExpiredRowSweeper
from wallet_api.http.rate_limits import build_rate_limiter
from wallet_api.settings import Settings
from wallet_api.state import AppState
from keys.sealing import Sealer
from keys.store import PublishedKeyCache
from verifiers.outbound_http import OutboundFetcher
from verifiers.qr.profiles import qr_profiles
from wallet_api.console.request_templates import load_templates
from wallet_api.wiring.outbound import fetch_policy
from wallet_api.auth.relying_parties import RelyingPartyCache
from wallet_api.wiring.verifier import KEY_RECHECK_S, build_verifier_services
from wallet_api.wallet.wiring import build_identity_providers


def build_state(settings: Settings, *, clock: Clock | None = None, migrate: bool = True) -> AppState:
    clock = clock or SystemClock()
    # load types first: a broken type file must stop start-up before anything is written
    registry = load_registry(settings.types_dir)
    ensure_private_dir(settings.data_dir)
    engine = make_engine(settings.resolved_database_url)
    if migrate:
        run_migrations(engine)
    with Session(engine) as session:
        had_key = active_key(session) is not None
        key = ensure_active_key(
            session, passphrase=settings.effective_key_passphrase, alg=settings.issuer_key_alg, now=clock.now()
        )
    sweeper = ExpiredRowSweeper(every=settings.expired_sweep_every, batch=settings.expired_sweep_batch)
    # built here, not in the first issuance request (which would hang for the build)
    population = built_population(settings.population_seed, settings.population_size)
    providers, dev_provider = build_identity_providers(settings)
    state = AppState(
        settings=settings,
        engine=engine,
        registry=registry,
        clock=clock,
        signers=SignerCache(settings.effective_key_passphrase, active_recheck_s=ACTIVE_KEY_RECHECK_S),
        sweeper=sweeper,
        rate_limiter=build_rate_limiter(settings, engine, sweeper=sweeper),
        sealer=Sealer(settings.effective_storage_key),
        population=population,
        adapters=build_adapters(population),
        status_allocator=StatusListAllocator(clock=clock.now),
        outbound=OutboundFetcher(fetch_policy(settings)),
        relying_parties=RelyingPartyCache(),
        # re-checked against the database every 30 s of the app clock (a test that moves time
        # re-reads as production would)
        published_keys=PublishedKeyCache(KEY_RECHECK_S, monotonic=clock.epoch),
        qr_profiles=qr_profiles(mobile_id_ttl_s=settings.qr_mobile_id_ttl_s, customs_ttl_s=settings.qr_customs_ttl_s),
        console_templates=load_templates(registry),
        identity_providers=providers,
        dev_identity_provider=dev_provider,
    )
    state.verifier = build_verifier_services(state)
    if not had_key:
        with Session(engine) as session:
            record_key_event(session, state, action="key.create", kid=key.kid, actor=ACTOR_SYSTEM, now=clock.now())
    return state
