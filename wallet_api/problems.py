"""The one place where exceptions become HTTP answers (RFC 9457 problem+json)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from schemas.errors import RateLimited, WalletError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("ecert.errors")


class OAuthEndpoint:
    """Marker placed on request.state by OAuth/OpenID routes: errors use the spec's body."""


def _error_headers(error: WalletError) -> dict[str, str]:
    # RFC 6750 §3: a 401 names the scheme and, for a bad token, the error
    if isinstance(error, RateLimited):
        # RFC 9110 §10.2.3: when to come back
        return {"Retry-After": str(error.retry_after_s)}
    if error.status != 401:
        return {}
    return {"WWW-Authenticate": f'Bearer error="{error.oauth_error}"'}


def problem_response(error: WalletError, request: Request | None = None) -> JSONResponse:
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
        from schemas.errors import InvalidInput

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

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # a bare 500: internals go to the log, never to the client
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        body = {"type": "about:blank", "title": "Internal Server Error", "status": 500, "code": "internal_error"}
        return JSONResponse(body, status_code=500, media_type=PROBLEM_JSON)
