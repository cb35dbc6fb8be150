"""One log line per request, and a request id that follows it.

``RequestLog`` (pure ASGI) takes the caller's ``X-Request-ID`` when it is a plain token
(≤ 64 of ``[A-Za-z0-9._-]``), else makes one, echoes it on the answer and keeps it in a
context variable, so every record the request writes can carry it. At the end it writes one
``ecert.request`` record: route template (never the raw path: ids and codes live there),
status, duration and the outcome code a verification or a refusal set. ``ECERT_LOG_FORMAT``
``json`` (the production default) writes each record as one JSON object per line.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from contextvars import ContextVar
from datetime import UTC, datetime
from time import perf_counter

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wallet_api.http.log_redaction import RedactSecrets
from wallet_api.settings import Settings

HEADER = b"x-request-id"
VALID_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
REQUEST_ID: ContextVar[str | None] = ContextVar("ecert_request_id", default=None)
OUTCOME: ContextVar[str | None] = ContextVar("ecert_outcome", default=None)
log = logging.getLogger("ecert.request")


def note_outcome(code: str | None) -> None:
    """The stable code this request ended with (a verification verdict or a refusal)."""
    OUTCOME.set(code)


class RequestLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((value for name, value in scope["headers"] if name == HEADER), b"").decode("latin-1")
        request_id = given if VALID_ID.fullmatch(given) else secrets.token_hex(8)
        id_token = REQUEST_ID.set(request_id)
        outcome_token = OUTCOME.set(None)
        started = perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (HEADER, request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = getattr(scope.get("route"), "path", None) or "(unmatched)"
            log.info(
                "%s %s %s", scope.get("method"), route, status,
                extra={"route": route, "status": status, "duration_ms": round((perf_counter() - started) * 1000, 2),
                       "outcome": OUTCOME.get()},
            )
            REQUEST_ID.reset(id_token)
            OUTCOME.reset(outcome_token)


class JsonLines(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request id and the request
    fields when the record has them. The message is already redacted (RedactSecrets)."""

    FIELDS = ("route", "status", "duration_ms", "outcome")

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": REQUEST_ID.get(),
        }
        entry.update({name: getattr(record, name) for name in self.FIELDS if hasattr(record, name)})
        if record.exc_info:
            # exception classes only: a database message could quote a value
            entry["exception"] = record.exc_info[0].__name__ if record.exc_info[0] else None
        return json.dumps(entry, ensure_ascii=False)


def log_format(settings: Settings) -> str:
    return settings.log_format or ("json" if settings.environment == "production" else "text")


def install_request_logging(settings: Settings) -> None:
    """The request log at INFO; in ``json`` format every handler of the root, ``ecert`` and
    uvicorn loggers writes JSON lines (create_app runs many times in tests: idempotent)."""
    log.setLevel(logging.INFO)
    if not any(isinstance(f, RedactSecrets) for f in log.filters):
        log.addFilter(RedactSecrets())
    if log_format(settings) != "json":
        return
    for name in ("", "ecert", "uvicorn", "uvicorn.error", "uvicorn.access"):
        for handler in logging.getLogger(name).handlers:
            handler.setFormatter(JsonLines())
    if not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(JsonLines())
        logging.getLogger().addHandler(handler)
