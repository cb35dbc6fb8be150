"""The application factory. Importing this module does no I/O."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from wallet_api.http.api_docs import install_api_docs
from wallet_api.http.body_limit import BodySizeLimit
from wallet_api.clock import Clock
from wallet_api.http.input_guard import InputGuard
from wallet_api.http.log_redaction import install_log_redaction
from wallet_api.http.metrics import RequestMetrics
from wallet_api.http.request_log import RequestLog, install_request_logging
from wallet_api.http.no_store import NoStoreForPersonalData
from wallet_api.http.openapi_document import install_openapi
from wallet_api.problems import install_problem_handlers, speaks_oauth
from wallet_api.routes import ROUTERS
from wallet_api.settings import Settings
from wallet_api.db.unit_of_work import make_async_engines


def create_app(settings: Settings | None = None, *, clock: Clock | None = None, freeze_heap: bool = False) -> FastAPI:
    """``freeze_heap``: for a serving process (not tests, which build many apps): once start-up
    has built its long-lived objects, move them out of the collector's sight. Full collections
    otherwise scan them again and again and paused a worker for 40-150 ms under load."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from wallet_api.wiring.bootstrap import build_state

        state = build_state(settings, clock=clock)
        # in the running loop: the hot routes' units of work run on it (unit_of_work.run_unit)
        state.async_engines = make_async_engines(state.engine)
        app.state.ecert = state
        if freeze_heap:
            gc.collect()
            gc.freeze()
        from wallet_api.db.maintenance import start_maintenance_task

        maintenance = start_maintenance_task(state)  # the periodic purge; None when turned off
        try:
            yield
        finally:
            if maintenance is not None:
                maintenance.cancel()
            if state.async_engines is not None:
                await state.async_engines.dispose()
            await state.rate_limiter.aclose()
            state.engine.dispose()

    app = FastAPI(
        title="ecert-wallet",
        version="0.1.0",
        summary="Electronic certificates: issue (OpenID4VCI), hold, present and verify (OpenID4VP), QR at the desk.",
        lifespan=lifespan,
        # production: the schema is a map for attackers too; ECERT_API_DOCS turns it on
        openapi_url="/openapi.json" if settings.docs_enabled else None,
        # the pages are ours (api_docs): FastAPI's load their scripts from a public CDN
        docs_url=None,
        redoc_url=None,
    )
    if settings.docs_enabled:
        install_api_docs(app)
    install_problem_handlers(app)
    install_openapi(app)
    # request paths carry bearer secrets (offer references, request ids, link ids)
    install_log_redaction()
    for router in ROUTERS:
        app.include_router(router)
    # multipart framing around a photo is small; 64 KiB covers it
    uploads = {"/v1/qr/verify-image": settings.qr_image_max_bytes + 64 * 1024}
    # added first, so it runs inside BodySizeLimit: it reads bodies whole, once they are bounded
    # a refusal made before routing answers with the OAuth body where the route would (its flag)
    oauth_paths = [c.route.path_regex for c in iter_route_contexts(app.routes) if speaks_oauth(c.original_route)]  # type: ignore[attr-defined]
    app.add_middleware(InputGuard, oauth_paths=oauth_paths)
    app.add_middleware(
        BodySizeLimit, max_bytes=settings.max_body_bytes, per_path=uploads, read_timeout_s=settings.body_read_timeout_s
    )
    # routes flagged PERSONAL_DATA: no-store on every answer, errors included
    app.add_middleware(NoStoreForPersonalData)
    # outermost: every request is counted and logged with its status and request id,
    # refusals before routing included
    app.add_middleware(RequestMetrics)
    install_request_logging(settings)
    app.add_middleware(RequestLog)
    return app
