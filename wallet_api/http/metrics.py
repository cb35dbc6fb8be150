"""``GET /metrics`` in the Prometheus text format (``prometheus-client``).

Requests by route template and status with a latency histogram (a pure ASGI middleware: no
per-request task or body copy), verifications by outcome code, issuances by type, rate-limit
refusals, database pool use. With several workers, ``PROMETHEUS_MULTIPROC_DIR`` (set by
``ecert serve --workers N``) makes every worker write its samples there and a scrape of any
worker sums them. Protected: ``ECERT_METRICS_TOKEN`` (Bearer) when set; without a token the
endpoint is open in development and absent (404) in production.
"""

from __future__ import annotations

import hmac
import os
from time import perf_counter
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import multiprocess
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schemas.errors import AuthError, NotFound
from wallet_api.http.request_log import note_outcome
from wallet_api.settings import Settings

REQUESTS = Counter("ecert_http_requests_total", "HTTP requests by route template and status", ["route", "status"])
LATENCY = Histogram(
    "ecert_http_request_duration_seconds", "HTTP request duration by route template", ["route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
VERIFICATIONS = Counter("ecert_verifications_total", "Verifications by kind and outcome code", ["kind", "outcome"])
ISSUANCES = Counter("ecert_issuances_total", "Credentials issued by certificate type", ["type"])
RATE_LIMITED = Counter("ecert_rate_limited_total", "Requests refused by a rate limit, by limit", ["bucket"])
POOL_IN_USE = Gauge("ecert_db_pool_checked_out", "Database connections checked out of this worker's pool",
                    multiprocess_mode="livesum")
UNMATCHED = "(unmatched)"


def record_verification(kind: str, answer: dict[str, Any]) -> None:
    outcome = "valid" if answer.get("valid") else str(answer.get("code") or "invalid")
    VERIFICATIONS.labels(kind, outcome).inc()
    note_outcome(outcome)


def record_issuance(type_id: str) -> None:
    ISSUANCES.labels(type_id).inc()


def record_rate_limited(bucket: str) -> None:
    RATE_LIMITED.labels(bucket).inc()


class RequestMetrics:
    """Counts every HTTP request by its route template (never the raw path: ids and codes)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = getattr(scope.get("route"), "path", None) or UNMATCHED
            REQUESTS.labels(route, str(status)).inc()
            LATENCY.labels(route).observe(perf_counter() - started)


def authorize_scrape(settings: Settings, authorization: str | None) -> None:
    token = settings.metrics_token.get_secret_value() if settings.metrics_token is not None else None
    if token is None:
        if settings.environment == "production":
            raise NotFound("not found")
        return
    scheme, _, presented = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(presented.strip().encode(), token.encode()):
        raise AuthError("metrics need Authorization: Bearer <ECERT_METRICS_TOKEN>")


def exposition(pool_checked_out: int) -> tuple[bytes, str]:
    POOL_IN_USE.set(pool_checked_out)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
