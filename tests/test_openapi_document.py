"""The OpenAPI document is complete: every operation has a typed success body, its error
bodies (problem+json, or OAuth's on the OAuth routes) and, where a caller authenticates,
its security scheme; the examples of the main flows match their schemas."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from fastapi.security.base import SecurityBase

from wallet_api.auth.administrators import current_administrator
from wallet_api.app import create_app
from wallet_api.auth.operators import current_operator
from wallet_api.auth.holders import current_holder, enrolling_holder
from wallet_api.problems import PROBLEM_JSON, speaks_oauth
from wallet_api.auth.relying_parties import current_relying_party

#: who authenticates how: the dependency that reads the credential → its scheme in the document
SCHEMES: dict[Callable[..., Any], str] = {
    current_relying_party: "RelyingPartyApiKey",
    current_operator: "OperatorApiKey",
    current_administrator: "AdministratorApiKey",
    current_holder: "HolderAccessToken",
    enrolling_holder: "HolderAccessToken",
}
REF = "#/components/schemas/"
#: comes with schemathesis (the fuzz job's dependency, in the ``test`` extra)
jsonschema_rs = pytest.importorskip("jsonschema_rs")


@pytest.fixture(scope="module")
def app() -> FastAPI:
    from wallet_api.settings import Settings

    return create_app(Settings(api_docs=True, database_url="sqlite://"))


@pytest.fixture(scope="module")
def document(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


def _routes(app: FastAPI) -> Iterator[tuple[RouteContext, str]]:
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, APIRoute) and route.include_in_schema:
            for method in sorted(route.methods or ()):
                yield route, method


def _calls(dependant: Any) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def _expected_schemes(route: RouteContext) -> set[str]:
    schemes = set()
    for call in _calls(route.dependant):
        if call in SCHEMES:
            schemes.add(SCHEMES[call])
        elif isinstance(call, SecurityBase):
            schemes.add(call.scheme_name)
    return schemes


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].removeprefix(REF)]
    return schema


def _typed(schema: dict[str, Any], document: dict[str, Any]) -> bool:
    """A named model, a list of one, or a scalar: not ``{}`` nor a bare object of anything."""
    schema = _resolve(schema, document)
    if schema.get("type") == "array":
        return _typed(schema.get("items", {}), document)
    if schema.get("type") == "object" or not schema.get("type"):
        return bool(schema.get("properties"))
    return True


def test_every_operation_has_a_typed_success_body(app: FastAPI, document: dict[str, Any]) -> None:
    untyped = []
    for route, method in _routes(app):
        operation = document["paths"][route.path_format][method.lower()]
        successes = {code: r for code, r in operation["responses"].items() if code.startswith("2")}
        if not successes:
            untyped.append(f"{method} {route.path_format}: no 2xx")
        for code, response in successes.items():
            if code == "204":
                assert "content" not in response
                continue
            content = response.get("content") or {}
            if not content:
                untyped.append(f"{method} {route.path_format} {code}: no body schema")
            for media, body in content.items():
                schema = body.get("schema", {})
                ok = _typed(schema, document) if media == "application/json" else schema.get("type") == "string"
                if not ok:
                    untyped.append(f"{method} {route.path_format} {code} {media}: {schema}")
    assert not untyped, "\n".join(untyped)


def test_every_operation_documents_its_error_bodies(app: FastAPI, document: dict[str, Any]) -> None:
    missing = []
    for route, method in _routes(app):
        operation = document["paths"][route.path_format][method.lower()]
        label = f"{method} {route.path_format}"
        errors = {code: r for code, r in operation["responses"].items() if code[0] in "45"}
        for needed in ("422", "500", *(("401", "403") if _expected_schemes(route) else ())):
            if needed not in errors:
                missing.append(f"{label}: no {needed}")
        media, model = ("application/json", "OAuthError") if speaks_oauth(route.original_route) else (PROBLEM_JSON, "Problem")
        for code, response in errors.items():
            if response.get("content") != {media: {"schema": {"$ref": REF + model}}}:
                missing.append(f"{label} {code}: {response.get('content')}")
    assert not missing, "\n".join(missing)
    schemas = document["components"]["schemas"]
    assert {"type", "title", "status", "code", "detail"} <= set(schemas["Problem"]["properties"])
    assert {"error", "error_description"} <= set(schemas["OAuthError"]["properties"])
    assert "HTTPValidationError" not in schemas  # never sent: a 422 is problem+json


def test_every_protected_operation_declares_its_security_scheme(app: FastAPI, document: dict[str, Any]) -> None:
    declared = document["components"]["securitySchemes"]
    wrong, protected = [], 0
    for route, method in _routes(app):
        expected = _expected_schemes(route)
        operation = document["paths"][route.path_format][method.lower()]
        named = {name for requirement in operation.get("security", []) for name in requirement}
        protected += bool(expected)
        if expected != named or not named <= set(declared):
            wrong.append(f"{method} {route.path_format}: expected {expected}, declared {named}")
    assert not wrong, "\n".join(wrong)
    assert protected >= 40
    assert {"RelyingPartyApiKey", "OperatorApiKey", "AdministratorApiKey", "HolderAccessToken", "OpenID4VCIAccessToken"} <= set(declared)


MAIN_FLOWS = [
    ("/v1/admin/offers", "post"),
    ("/token", "post"),
    ("/credential", "post"),
    ("/v1/verify", "post"),
    ("/v1/qr/verify", "post"),
    ("/v1/presentation-requests", "post"),
    ("/v1/presentation-requests/{request_id}", "get"),
]


@pytest.mark.parametrize("path, method", MAIN_FLOWS)
def test_main_flows_have_examples_that_match_their_schemas(document: dict[str, Any], path: str, method: str) -> None:
    operation = document["paths"][path][method]
    found = 0
    bodies = [operation.get("requestBody", {})] + [r for code, r in operation["responses"].items() if code.startswith("2")]
    for body in bodies:
        for media, content in body.get("content", {}).items():
            for example in content.get("examples", {}).values():
                found += 1
                if media == "application/json" and "schema" in content:
                    schema = {**content["schema"], "components": document["components"]}
                    jsonschema_rs.Draft202012Validator(schema).validate(example["value"])
    assert found >= 1 if method == "get" else found >= 2
