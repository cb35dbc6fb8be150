"""The one place where exceptions become HTTP answers (RFC 9457 problem+json).

Logging: a 4xx never logs a traceback (the client's mistakes are answers, not incidents;
only a value the database refused leaves a one-line warning, since validation should have
caught it). A 500 logs one line with its traceback; where a database error is anywhere in
its chain, the line names the exception classes (and SQLSTATE) but carries no message:
those quote the statement's parameters and the values the database complains about
(state, nonce, one-time-link URLs, claims). Lines name the route's path template, never
the path as sent.
"""

from __future__ import annotations

import logging
import sqlite3
import traceback
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute

from schemas.errors import InvalidInput, RateLimited, WalletError
from wallet_api.http.request_log import note_outcome

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("ecert.errors")


async def use_oauth_errors(request: Request) -> None:  # async: no threadpool hop for a flag
    """Router dependency of OAuth/OpenID endpoints: their errors use the spec's body."""
    request.state.oauth_errors = True


def speaks_oauth(route: BaseRoute) -> bool:
    """Whether ``route`` answers errors with the OAuth body."""
    dependencies = getattr(route, "dependencies", ())
    return any(getattr(d, "dependency", None) is use_oauth_errors for d in dependencies)


def _route_template(request: Request) -> str:
    """The matched route's path template: a raw path may hold ids, codes and bytes like NUL."""
    route = request.scope.get("route")
    return getattr(route, "path", None) or "(no route)"


def _from_database(exc: BaseException) -> bool:
    return isinstance(exc, (SQLAlchemyError, sqlite3.Error)) or type(exc).__module__.startswith("psycopg")


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and what caused it or was being handled, outermost first."""
    found: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in found):
        found.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return found


def _database_safe_description(chain: list[BaseException]) -> str:
    """Classes, SQLSTATE and stack frames of every exception in the chain; no messages."""
    lines: list[str] = []
    for exc in reversed(chain):  # innermost first, as Python prints a chain
        origin = getattr(exc, "orig", None)
        state = getattr(origin, "sqlstate", None) or getattr(exc, "sqlstate", None)
        name = f"{type(exc).__module__}.{type(exc).__qualname__}"
        lines.append("Traceback (most recent call last):\n" + "".join(traceback.format_tb(exc.__traceback__)))
        lines.append(f"{name} (message withheld{f', SQLSTATE {state}' if state else ''})\n")
    return "".join(lines)


def _error_headers(error: WalletError) -> dict[str, str]:
    # RFC 6750 §3: a 401 names the scheme and, for a bad token, the error
    if isinstance(error, RateLimited):
        # RFC 9110 §10.2.3: when to come back
        return {"Retry-After": str(error.retry_after_s)}
    if error.status != 401:
        return {}
    return {"WWW-Authenticate": f'Bearer error="{error.oauth_error}"'}


def problem_response(error: WalletError, request: Request | None = None) -> JSONResponse:
    note_outcome(error.code)  # the request log line names the refusal
    if request is not None and getattr(request.state, "oauth_errors", False):
        body: dict[str, Any] = {"error": error.oauth_error, "error_description": error.detail}
        headers = {"Cache-Control": "no-store", **_error_headers(error)}
        return JSONResponse(body, status_code=error.status, headers=headers)
    return JSONResponse(error.to_problem(), status_code=error.status, media_type=PROBLEM_JSON, headers=_error_headers(error))


def _validation_detail(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": [str(p) for p in err.get("loc", ())], "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in exc.errors()
    ]


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(WalletError)
    async def _wallet_error(request: Request, exc: WalletError) -> JSONResponse:
        return problem_response(exc, request)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        error = InvalidInput("the request does not match the expected shape", errors=_validation_detail(exc))
        return problem_response(error, request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 413: "payload_too_large"}
        body = {
            "type": "about:blank",
            "title": str(exc.detail),
            "status": exc.status_code,
            "code": codes.get(exc.status_code, "http_error"),
            "detail": str(exc.detail),
        }
        return JSONResponse(body, status_code=exc.status_code, media_type=PROBLEM_JSON, headers=exc.headers)

    @app.exception_handler(DataError)
    async def _data_refused(request: Request, exc: DataError) -> JSONResponse:
        # SQLSTATE class 22: the database refused a value (NUL in text, out of range, too
        # long) that validation let through; the value came with the request, so a 4xx
        log.warning(
            "database refused a value on %s %s: %s",
            request.method,
            _route_template(request),
            type(exc.orig).__name__,
        )
        return problem_response(InvalidInput("a value in the request cannot be stored or looked up"), request)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # a bare 500: internals go to the log, never to the client
        chain = _chain(exc)
        if any(_from_database(e) for e in chain):
            log.error(
                "unhandled database error on %s %s\n%s",
                request.method,
                _route_template(request),
                _database_safe_description(chain),
            )
        else:
            log.exception("unhandled error on %s %s", request.method, _route_template(request))
        body = {"type": "about:blank", "title": "Internal Server Error", "status": 500, "code": "internal_error"}
        return JSONResponse(body, status_code=500, media_type=PROBLEM_JSON)
