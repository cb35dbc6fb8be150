"""The OpenAPI document: FastAPI's, completed where the framework cannot know.

- Every error status a route can give carries its body's schema: ``Problem``
  (``application/problem+json``), or ``OAuthError`` (``application/json``) on the routes
  that speak OAuth (``wallet_api.problems.speaks_oauth``). Routes list their particular
  statuses (``api_models.base.typed``); the ones every route of a kind can give are added
  here: 422 (validation and ``InputGuard``), 500; 413 and 408 with a body; 401 and 403 where
  a caller is authenticated; 429 where a rate limit counts.
- Relying-party routes read ``Authorization: Bearer`` with a plain header dependency (the
  fastest form on the hottest route); their operations get the ``RelyingPartyApiKey``
  security scheme here, in place of the bare header parameter.
- Request and response examples of the main flows (``api_models.examples``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from wallet_api.api_models.examples import EXAMPLES
from wallet_api.api_models.problems import OAuthError, Problem
from wallet_api.problems import PROBLEM_JSON, speaks_oauth

REF = "#/components/schemas/"
RELYING_PARTY_SCHEME = "RelyingPartyApiKey"


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _relying_party_route(route: RouteContext) -> bool:
    from wallet_api.auth.relying_parties import current_relying_party

    return any(call is current_relying_party for call in _calls(route.dependant))


def _rate_limited(route: RouteContext) -> bool:
    # anonymous_limit(bucket) builds a closure named after it; token and nonce count in their hop
    return any(getattr(call, "__qualname__", "").startswith("anonymous_limit") for call in _calls(route.dependant)) or (
        route.path in ("/token", "/nonce")
    )


def _error_body(oauth: bool) -> dict[str, Any]:
    if oauth:
        return {"application/json": {"schema": {"$ref": REF + "OAuthError"}}}
    return {PROBLEM_JSON: {"schema": {"$ref": REF + "Problem"}}}


def _complete_operation(route: RouteContext, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    if _relying_party_route(route):
        operation["security"] = [{RELYING_PARTY_SCHEME: []}]
        params = [p for p in operation.get("parameters", []) if not (p["in"] == "header" and p["name"].lower() == "authorization")]
        operation["parameters"] = params
        if not params:
            del operation["parameters"]
    common = [422, 500]
    if "requestBody" in operation:
        common += [408, 413]
    if operation.get("security"):
        common += [401, 403]
    if _rate_limited(route):
        common.append(429)
    for status in common:
        responses.setdefault(str(status), {})
    oauth = speaks_oauth(route.original_route)
    for status, response in responses.items():
        if status[0] not in "45":
            continue
        response["description"] = (
            response.get("description") if response.get("description") not in (None, "", "Validation Error") else HTTPStatus(int(status)).phrase
        )
        response["content"] = _error_body(oauth)
    example = EXAMPLES.get((route.path, tuple(sorted(route.methods))))
    if example is not None:
        example.apply(operation)


def complete(document: dict[str, Any], app: FastAPI) -> dict[str, Any]:
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for model in (Problem, OAuthError):
        schemas[model.__name__] = model.model_json_schema(ref_template=REF + "{model}")
    components.setdefault("securitySchemes", {})[RELYING_PARTY_SCHEME] = {
        "type": "http",
        "scheme": "bearer",
        "description": "a relying party's API key (ecert rp add / rotate-key)",
    }
    # included routers stay nested (FastAPI ≥ 0.16x): walk their effective routes
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods or ():
            operation = document["paths"].get(route.path_format, {}).get(method.lower())
            if operation is not None:
                _complete_operation(route, operation)
    # FastAPI's own 422 body is never sent (``problems`` answers problem+json): drop it
    paths = json.dumps(document["paths"])
    if f'"{REF}HTTPValidationError"' not in paths:
        schemas.pop("HTTPValidationError", None)
        if f'"{REF}ValidationError"' not in paths + json.dumps(schemas):
            schemas.pop("ValidationError", None)
    return document


def install_openapi(app: FastAPI) -> None:
    """``app.openapi()`` (and ``/openapi.json``) serve the completed document, built once."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(FastAPI.openapi(app), app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
