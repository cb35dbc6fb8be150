"""Hostile input (issue 12): JSON nested without bound, and NUL bytes, end as a 4xx.

- Every JSON document read from input goes through ``keys.json_document``: a document nested
  deeper than ``MAX_DEPTH`` is refused before CPython's decoder recurses on it (it raised an
  uncaught ``RecursionError`` from ~1,000 levels: 3 KB of ``[``). Each place a hostile
  document arrives is attacked over HTTP: JOSE header and payload of a sign-in proof, of an
  identity assertion, of an SD-JWT at ``/v1/verify`` (issuer JWT, a disclosure, the KB-JWT),
  wallet import, an OpenID4VCI proof, an OpenID4VP ``vp_token``, and request bodies.
- NUL (and other control characters in URLs) are refused at the boundary for every route of
  the OpenAPI document; a NUL that arrives inside a signed token reaches the database and is
  refused there with a 4xx (PostgreSQL raised ``DataError``, a 500). No log line carries a
  SQL parameter, and a 4xx logs no traceback.

The suite runs on SQLite and, with ``ECERT_TEST_DATABASE_URL``, on PostgreSQL, where the NUL
defects lived.
"""

from __future__ import annotations

import json
import logging
import random
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from issuers.operators import add_operator
from keys.b64 import b64url_encode
from keys.errors import JSONDocumentRefused, JWSMalformed
from keys.json_document import MAX_DEPTH, document_reader, nesting_within, read_json
from keys.jws import Signer, parse_compact
from keys.sd_jwt import Disclosure, attach_kb_jwt, kb_jwt_signing_input, select_disclosures
from keys.sd_jwt_errors import DisclosureMalformed
from tests.issuing_helpers import device_signer, issue_for, person_with_record
from tests.wallet_app import MobileApp, person_with_types, register_bank
from wallet_api.db.engines import make_async_engine, make_engine

TYPE = "resident_registration_abstract"
PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
#: what the request bodies take of a sign-in proof and of an identity assertion
SIGN_IN_PROOF_CHARS = 4096
IDENTITY_ASSERTION_CHARS = 8192
IMPORT_CHARS = 64 * 1024


# --- documents ----------------------------------------------------------------------------


def nested_arrays(levels: int) -> str:
    return "[" * levels + "]" * levels


def nested_objects(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


def depth_of(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(depth_of, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth_of, value), default=0)
    return 0


#: hostile JSON texts: the report's 3 KB of arrays, objects as deep, and 100,000 levels (left
#: open: closed, they would not fit the 256 KiB body limit once base64url-encoded in a token)
DEEP = {
    "arrays-1500": nested_arrays(1_500),
    "unclosed-1500": "[" * 1_500,
    "objects-1500": nested_objects(1_500),
    "unclosed-100000": "[" * 100_000,
}


def wide_header(items: int) -> str:
    """A JOSE header that is wide but shallow (far more brackets than the depth bound): read,
    then refused for what it says."""
    return '{"alg":"ES256","typ":"x","wide":[' + "[{}]," * items + "[]]}"


def jose_header(deep: str) -> str:
    """A header a parser reads up to the hostile part: alg and typ first."""
    return '{"alg":"ES256","typ":"dc+sd-jwt","x":' + deep + "}" if deep.endswith(("]", "}")) else '{"alg":"ES256","x":' + deep


def compact(header: str | bytes, payload: str | bytes, signer: Signer | None = None) -> str:
    """A compact JWS of exactly these bytes; signed by ``signer``, or with a junk signature."""
    head = b64url_encode(header.encode() if isinstance(header, str) else header)
    body = b64url_encode(payload.encode() if isinstance(payload, str) else payload)
    signing_input = f"{head}.{body}"
    signature = signer.sign(signing_input.encode("ascii")) if signer else b"\x01" * 64
    return f"{signing_input}.{b64url_encode(signature)}"


def assert_refused(r: Any, token: str, *, fits: int, status: int, code: str) -> None:
    """The route's own refusal of a bad token, or, for a token longer than its field takes,
    the refusal of the body's shape before anything reads the token."""
    if len(token) > fits:
        status, code = 422, "invalid_input"
    assert (r.status_code, r.json().get("code")) == (status, code), r.text


# --- the bounded reader -------------------------------------------------------------------


@pytest.mark.parametrize("build", [nested_arrays, nested_objects], ids=["arrays", "objects"])
def test_depth_exactly_at_the_limit_is_read_and_one_more_is_refused(build: Any) -> None:
    at_limit = build(MAX_DEPTH)
    assert depth_of(read_json(at_limit)) == MAX_DEPTH
    assert depth_of(read_json(at_limit.encode())) == MAX_DEPTH
    with pytest.raises(JSONDocumentRefused):
        read_json(build(MAX_DEPTH + 1))
    with pytest.raises(JSONDocumentRefused):
        read_json(build(MAX_DEPTH + 1).encode())


def test_brackets_inside_strings_do_not_count() -> None:
    # far more brackets than the limit, all inside strings, some after escaped quotes and backslashes
    tricky = ['[[[{{{', '\\"[[[', "\\\\", '"]]]}}}', "[" * 200]
    document = json.dumps({"a": [tricky] * 40, "b": "\\" * 3 + "[" * 50})
    assert document.count("[") > 10 * MAX_DEPTH
    assert read_json(document) == json.loads(document)
    assert read_json(document.encode()) == json.loads(document)
    # an escaped quote does not end a string: the brackets after it are still inside
    assert nesting_within('["\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["]', 2)
    # an escaped backslash does: the brackets after it count
    assert not nesting_within('["\\\\",' + "[" * 40 + "]" * 40 + "]", MAX_DEPTH)


def test_nesting_check_agrees_with_the_decoded_depth() -> None:
    """Random documents with brackets, quotes and backslashes in keys and strings: the check
    without decoding gives exactly the depth the decoded value has, at every limit."""
    rng = random.Random(12)
    strings = ["a", "[{", '"]}', "\\", '\\"[', "가[", "}]\\\\"]

    def value(level: int) -> Any:
        roll = rng.random()
        if level > 12 or roll < 0.3:
            return rng.choice([1, None, True, 2.5, *strings])
        if roll < 0.65:
            return [value(level + 1) for _ in range(rng.randint(0, 3))]
        return {rng.choice(strings) + str(i): value(level + 1) for i in range(rng.randint(0, 3))}

    for _ in range(2_000):
        document = value(0)
        text_form = json.dumps(document, ensure_ascii=rng.random() < 0.5)
        depth = depth_of(document)
        for limit in (1, 2, 3, 5, 8):
            assert nesting_within(text_form, limit) is (depth <= limit), (text_form, limit)
            assert nesting_within(text_form.encode(), limit) is (depth <= limit), (text_form, limit)


@pytest.mark.parametrize("name", sorted(DEEP))
def test_the_reader_refuses_deep_documents_without_recursing(name: str) -> None:
    with pytest.raises(JSONDocumentRefused):
        read_json(DEEP[name])
    # a JSON decoder the caller built keeps its own options and gets the same bound
    with pytest.raises(JSONDocumentRefused):
        document_reader(json.JSONDecoder())(DEEP[name])


def test_the_reader_is_json_loads_for_everything_else() -> None:
    wide = "[" + ",".join(["[1,{}]"] * 10_000) + "]"
    for document in ('{"a":1}', " [1, 2] ", "12", '"x"', wide, '{"a": "\\u0000"}'):
        assert read_json(document) == json.loads(document)
        assert read_json(document.encode("utf-16")) == json.loads(document.encode("utf-16"))
    for broken in ("", "[", "[1,", '{"a":1} x', "[]]"):
        with pytest.raises(ValueError):
            read_json(broken)


def test_unbalanced_brackets_are_refused_whatever_their_count() -> None:
    assert not nesting_within("]" * 40 + "[" * 40, MAX_DEPTH)
    with pytest.raises(ValueError):
        read_json("[" * 40 + "]" * 39)


def test_a_document_longer_than_the_bound_is_refused() -> None:
    from keys.json_document import MAX_DOCUMENT_CHARS

    with pytest.raises(JSONDocumentRefused):
        read_json('"' + "a" * MAX_DOCUMENT_CHARS + '"')


@pytest.mark.parametrize("name", sorted(DEEP))
def test_jose_parts_and_disclosures_deep_are_malformed(name: str) -> None:
    deep = DEEP[name]
    with pytest.raises(JWSMalformed):
        parse_compact(compact(deep, "{}"))
    with pytest.raises(JWSMalformed):
        parse_compact(compact('{"alg":"ES256"}', deep)).unverified_claims()
    with pytest.raises(DisclosureMalformed):
        Disclosure.parse(b64url_encode(f'["salt","name",{deep}]'.encode()))


# --- deep JSON over HTTP ------------------------------------------------------------------


@pytest.fixture
def holder_app(client: TestClient) -> MobileApp:
    app = MobileApp(client, person_with_types(client, 1)[0])
    app.enrol()
    app.register_device()
    return app


@pytest.mark.parametrize("name", sorted(DEEP))
def test_deep_sign_in_proof_is_unauthorized(client: TestClient, holder_app: MobileApp, name: str) -> None:
    device_id, signer = next(iter(holder_app.keys.items()))
    deep = DEEP[name]
    challenge = client.post("/v1/auth/challenge").json()
    header = json.dumps({"alg": "ES256", "typ": "ecert-sign-in+jwt", "kid": device_id})
    # the header is read before anything is verified: anyone can send this; the payload is
    # read once the device key verified it: the holder's own hostile proof
    for proof in (compact(jose_header(deep), "{}"), compact(header, deep, signer)):
        r = client.post("/v1/auth/token", json={"proof": proof, "device_id": device_id})
        assert_refused(r, proof, fits=SIGN_IN_PROOF_CHARS, status=401, code="unauthorized")
    # and the app still signs in
    proof = holder_app.sign_in_proof(device_id, challenge)
    assert client.post("/v1/auth/token", json={"proof": proof, "device_id": device_id}).status_code == 200


def test_wide_sign_in_proof_header_is_read_and_refused_for_what_it_says(client: TestClient, holder_app: MobileApp) -> None:
    device_id = next(iter(holder_app.keys))
    r = client.post("/v1/auth/token", json={"proof": compact(wide_header(400), "{}"), "device_id": device_id})
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"
    assert "nested" not in r.json()["detail"]


@pytest.mark.parametrize("name", sorted(DEEP))
def test_deep_identity_assertion_at_enrolment(client: TestClient, name: str) -> None:
    deep = DEEP[name]
    for assertion in (compact(jose_header(deep), '{"iss":"https://ecert.test/dev/identity-provider"}'), compact('{"alg":"ES256"}', deep)):
        r = client.post("/v1/holders", json={"identity_assertion": assertion})
        assert_refused(r, assertion, fits=IDENTITY_ASSERTION_CHARS, status=401, code="identity_assertion_invalid")


def test_deep_identity_assertion_signed_by_the_provider(client: TestClient) -> None:
    
    provider = client.app.state.ecert.dev_identity_provider._signer  # type: ignore[attr-defined]  # noqa: SLF001
    payload = '{"iss":"https://ecert.test/dev/identity-provider","aud":"https://ecert.test","x":' + nested_arrays(1_500) + "}"
    assertion = compact(json.dumps({"alg": provider.alg, "kid": provider.kid, "typ": "JWT"}), payload, provider)
    r = client.post("/v1/holders", json={"identity_assertion": assertion})
    assert r.status_code == 401 and r.json()["code"] == "identity_assertion_invalid"


@pytest.fixture
def bank(client: TestClient) -> tuple[str, dict[str, str]]:
    api_key, client_id = register_bank(client)
    return client_id, {"Authorization": f"Bearer {api_key}"}


@pytest.fixture
def issued(client: TestClient) -> tuple[Signer, str]:
    state = client.app.state.ecert  # type: ignore[attr-defined]
    holder = device_signer()
    with Session(state.engine) as session:
        return holder, issue_for(state, session, TYPE, holder).credential


def _verify(client: TestClient, bank: tuple[str, dict[str, str]], presentation: str) -> dict[str, Any]:
    client_id, headers = bank
    r = client.post("/v1/verify", json={"presentation": presentation, "nonce": "n-1", "audience": client_id}, headers=headers)
    assert r.status_code == 200, r.text  # /v1/verify judges presentations: a verdict, not an error
    return r.json()


@pytest.mark.parametrize("name", sorted(DEEP))
def test_deep_issuer_jwt_at_verify_is_malformed(client: TestClient, bank: Any, issued: Any, name: str) -> None:
    deep = DEEP[name]
    _, credential = issued
    disclosures = credential.split("~", 1)[1]
    for jwt in (compact(jose_header(deep), "{}"), compact('{"alg":"ES256","typ":"dc+sd-jwt"}', deep)):
        verdict = _verify(client, bank, f"{jwt}~{disclosures}")
        assert (verdict["valid"], verdict["code"]) == (False, "malformed")


def test_large_wide_issuer_jwt_at_verify_is_read_and_judged(client: TestClient, bank: Any, issued: Any) -> None:
    _, credential = issued
    for jwt in (compact(wide_header(20_000), "{}"), compact('{"alg":"ES256"}', wide_header(20_000))):
        verdict = _verify(client, bank, jwt + "~")
        assert verdict["valid"] is False and verdict["code"] == "malformed" and "nested" not in str(verdict)


@pytest.mark.parametrize("name", sorted(DEEP))
def test_deep_disclosure_and_kb_jwt_at_verify(client: TestClient, bank: Any, issued: Any, name: str) -> None:
    deep = DEEP[name]
    holder, credential = issued
    client_id, _ = bank
    issuer_jwt = credential.split("~", 1)[0]
    disclosure = b64url_encode(f'["c2FsdA","name",{deep}]'.encode())
    verdict = _verify(client, bank, f"{issuer_jwt}~{disclosure}~")
    assert verdict["valid"] is False and verdict["code"] in ("malformed", "disclosure_invalid")

    presentation = select_disclosures(credential, [("name",)])
    now = client.app.state.ecert.clock.epoch()  # type: ignore[attr-defined]
    _, kb_payload = kb_jwt_signing_input(presentation=presentation, nonce="n-1", aud=client_id, iat=now)
    kb_header = json.dumps({"alg": "ES256", "typ": "kb+jwt"})
    for kb_jwt in (compact(jose_header(deep), json.dumps(kb_payload), holder), compact(kb_header, deep, holder)):
        verdict = _verify(client, bank, attach_kb_jwt(presentation, kb_jwt))
        assert verdict["valid"] is False and verdict["code"] in ("malformed", "holder_binding_failed"), verdict


@pytest.mark.parametrize("name", sorted(DEEP))
def test_deep_credential_import_is_malformed(client: TestClient, holder_app: MobileApp, name: str) -> None:
    holder_app.sign_in(next(iter(holder_app.keys)))
    deep = DEEP[name]
    for credential in (compact(jose_header(deep), "{}") + "~", compact('{"alg":"ES256","typ":"dc+sd-jwt"}', deep) + "~"):
        r = client.post("/v1/wallet/credentials/import", json={"credential": credential}, headers=holder_app.auth)
        assert_refused(r, credential, fits=IMPORT_CHARS, status=400, code="malformed")


@pytest.mark.parametrize("levels", [1_500, 100_000])
def test_deep_json_bodies_are_invalid_input(client: TestClient, bank: Any, levels: int) -> None:
    _, headers = bank
    for body in (nested_arrays(levels), '{"presentation":' + nested_arrays(levels) + "}"):
        for path, extra in (("/v1/verify", headers), ("/v1/auth/token", {}), ("/v1/holders", {})):
            r = client.post(path, content=body, headers={**extra, "content-type": "application/json"})
            assert r.status_code == 422 and r.json()["code"] == "invalid_input", (path, r.text)
            assert "nested deeper" in r.json()["detail"]


def test_json_body_at_the_depth_limit_gets_past_the_guard(client: TestClient, bank: Any) -> None:
    _, headers = bank
    # within the bound, the body reaches the route, which refuses it for its shape
    body = '{"presentation":' + nested_arrays(MAX_DEPTH - 1) + ',"nonce":"n","audience":"a"}'
    r = client.post("/v1/verify", content=body, headers={**headers, "content-type": "application/json"})
    assert r.status_code == 422 and "nested deeper" not in r.text
    wide = json.dumps({"presentation": "x~", "nonce": "n", "audience": "a", "pad": [[{}]] * 20_000})
    r = client.post("/v1/verify", content=wide, headers={**headers, "content-type": "application/json"})
    assert r.status_code == 422 and r.json()["code"] == "invalid_input" and "nested deeper" not in r.text


def _access_token(client: TestClient) -> str:
    state = client.app.state.ecert  # type: ignore[attr-defined]
    person = person_with_record(state, TYPE)
    agency = state.registry.get(TYPE).agency.id
    with Session(state.engine) as session:
        operator = add_operator(session, name="desk", agency_id=agency, now=state.clock.now()).api_key
    offer = client.post("/v1/admin/offers", json={"type_ids": [TYPE], "person_id": person.person_id},
                        headers={"Authorization": f"Bearer {operator}"}).json()["credential_offer"]
    form = {"grant_type": PRE_AUTH, "pre-authorized_code": offer["grants"][PRE_AUTH]["pre-authorized_code"]}
    return client.post("/token", data=form).json()["access_token"]


@pytest.mark.parametrize("name", sorted(DEEP))
def test_deep_openid4vci_proof_and_body_get_the_oauth_error(client: TestClient, name: str) -> None:
    deep = DEEP[name]
    auth = {"Authorization": f"Bearer {_access_token(client)}"}
    proof = compact(jose_header(deep), "{}")
    r = client.post("/credential", json={"credential_configuration_id": TYPE, "proofs": {"jwt": [proof]}}, headers=auth)
    assert r.status_code == 400 and r.json()["error"] == "invalid_proof", r.text
    if len(deep) < 150_000:  # a deep body, as JSON or as anything else the endpoint reads raw
        for content_type in ("application/json", "text/plain"):
            r = client.post("/credential", content=deep, headers={**auth, "content-type": content_type})
            assert r.status_code in (400, 422) and r.json()["error"] in ("invalid_request", "invalid_credential_request"), r.text


def _bank_request_object(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    from tests.wallet_app import bank_request

    created = bank_request(client, headers["Authorization"].removeprefix("Bearer "), ["name"])
    request_id = created["id"]
    request = parse_compact(client.get(f"/openid4vp/requests/{request_id}").text).unverified_claims()
    return request


@pytest.mark.parametrize("name", sorted(DEEP))
def test_deep_vp_token_at_direct_post(client: TestClient, bank: Any, name: str) -> None:
    _, headers = bank
    request = _bank_request_object(client, headers)
    path = request["response_uri"].removeprefix("https://ecert.test")
    form = {"vp_token": DEEP[name], "state": request["state"]}
    r = client.post(path, data=form)
    if len(urlencode(form)) > client.app.state.ecert.settings.max_body_bytes:  # type: ignore[attr-defined]
        assert r.status_code == 413  # the 100,000 levels, percent-encoded
    else:
        assert r.status_code == 400 and r.json()["error"] == "invalid_request", r.text


# --- NUL and control characters -----------------------------------------------------------

NUL = "x\x00y"


@pytest.fixture
def credentials_for_every_route(client: TestClient, holder_app: MobileApp, bank: Any) -> dict[str, dict[str, str]]:
    """Authorization for each kind of caller, so that a request would get past its guard."""
    state = client.app.state.ecert  # type: ignore[attr-defined]
    holder_app.sign_in(next(iter(holder_app.keys)))
    with Session(state.engine) as session:
        operator = add_operator(session, name="desk", agency_id="mois", now=state.clock.now()).api_key
    return {"holder": holder_app.auth, "party": bank[1], "operator": {"Authorization": f"Bearer {operator}"}}


def _caller(path: str) -> str:
    if path.startswith(("/v1/verify", "/v1/presentation-requests", "/v1/qr/verify")):
        return "party"
    if path.startswith("/v1/admin"):
        return "operator"
    return "holder"


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _sample(schema: dict[str, Any], components: dict[str, Any], string: str, level: int = 0) -> Any:
    """A value of ``schema`` whose every string is ``string``."""
    schema = _resolve(schema, components)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [_resolve(s, components) for s in schema[key]]
            chosen = next((s for s in options if s.get("type") != "null"), options[0])
            return _sample(chosen, components, string, level)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if level > 4:
            return {}
        properties = schema.get("properties", {})
        sample = {name: _sample(sub, components, string, level + 1) for name, sub in properties.items()}
        if not properties and schema.get("additionalProperties") not in (None, False):
            sample = {string: string}
        return sample
    if kind == "array":
        return [_sample(schema.get("items", {}), components, string, level + 1)]
    if kind in ("integer", "number"):
        return 1
    if kind == "boolean":
        return False
    if "enum" in schema:
        return schema["enum"][0]
    return string


def _operations(client: TestClient) -> Iterator[tuple[str, str, dict[str, Any]]]:
    document = client.get("/openapi.json").json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def _assert_refused(r: Any, where: str) -> None:
    assert r.status_code < 500, f"{where}: {r.status_code} {r.text}"
    assert r.status_code == 422, f"{where}: {r.status_code} {r.text}"
    body = r.json()
    assert body.get("code", body.get("error")) in ("invalid_input", "invalid_request"), f"{where}: {body}"


def test_nul_in_every_path_parameter(client: TestClient, credentials_for_every_route: dict[str, dict[str, str]]) -> None:
    tried = 0
    for method, path, operation in _operations(client):
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
        for name in names:
            url = path
            for other in names:
                url = url.replace("{" + other + "}", quote(NUL, safe="") if other == name else "abc")
            r = client.request(method, url, headers=credentials_for_every_route[_caller(path)])
            _assert_refused(r, f"{method} {path} [{name}]")
            tried += 1
    assert tried >= 20


def test_nul_in_every_query_parameter_and_control_characters_in_urls(client: TestClient, credentials_for_every_route: dict[str, dict[str, str]]) -> None:
    tried = 0
    for method, path, operation in _operations(client):
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        url = re.sub(r"\{[^}]+\}", "abc", path)
        for name in names:
            r = client.request(method, url, params={name: NUL}, headers=credentials_for_every_route[_caller(path)])
            _assert_refused(r, f"{method} {path} ?{name}")
            tried += 1
    assert tried >= 3
    for control in ("\x01", "\n", "\x1f", "\x7f"):
        _assert_refused(client.get("/v1/types/" + quote("a" + control, safe="")), repr(control))
        _assert_refused(client.get("/v1/wallet/credentials", params={"type_id": control}), repr(control))
    # not control characters: looked up, and not found
    assert client.get("/v1/types/" + quote("증명서 ~!", safe="")).status_code == 404


def test_nul_in_every_string_of_every_json_body(client: TestClient, credentials_for_every_route: dict[str, dict[str, str]]) -> None:
    document = client.get("/openapi.json").json()
    components = document.get("components", {}).get("schemas", {})
    tried = 0
    for method, path, operation in _operations(client):
        content = operation.get("requestBody", {}).get("content", {})
        url = re.sub(r"\{[^}]+\}", "abc", path)
        headers = credentials_for_every_route[_caller(path)]
        if "application/json" in content:
            body = _sample(content["application/json"]["schema"], components, NUL)
            r = client.request(method, url, content=json.dumps(body), headers={**headers, "content-type": "application/json"})
            _assert_refused(r, f"{method} {path} {body}")
            tried += 1
        if "application/x-www-form-urlencoded" in content:
            form = _sample(content["application/x-www-form-urlencoded"]["schema"], components, NUL)
            r = client.request(method, url, data=form, headers=headers)
            _assert_refused(r, f"{method} {path} {form}")
            tried += 1
    assert tried >= 20
    # the OAuth endpoints read their bodies themselves: a form and a raw JSON body
    r = client.post("/token", data={"grant_type": PRE_AUTH, "pre-authorized_code": NUL})
    _assert_refused(r, "/token")
    assert r.json()["error"] == "invalid_request"
    r = client.post("/credential", content=json.dumps({"credential_configuration_id": NUL}), headers={"content-type": "application/json"})
    _assert_refused(r, "/credential")
    assert r.json()["error"] == "invalid_request"


def test_refusals_before_routing_use_the_oauth_body_exactly_where_the_routes_do(client: TestClient) -> None:
    from fastapi.routing import iter_route_contexts

    from wallet_api.problems import speaks_oauth

    # the one flag (the routers' use_oauth_errors dependency) says which routes speak OAuth
    oauth_paths = {c.path for c in iter_route_contexts(client.app.routes) if speaks_oauth(c.original_route)}  # type: ignore[attr-defined]
    assert oauth_paths == {"/token", "/nonce", "/credential", "/openid4vp/requests/{request_id}", "/openid4vp/responses/{request_id}"}
    for method, path, _ in _operations(client):
        url = re.sub(r"\{[^}]+\}", "abc", path)
        body = client.request(method, url, params={"x": NUL}).json()
        assert ("error" in body) is (path in oauth_paths), (path, body)


def test_an_escaped_backslash_before_u0000_is_not_a_nul(client: TestClient) -> None:
    # the JSON text "\\u0000" is a backslash and "u0000": an ordinary (if odd) string
    r = client.post("/v1/holders", content='{"identity_assertion": "a\\\\u0000"}', headers={"content-type": "application/json"})
    assert r.status_code == 401 and r.json()["code"] == "identity_assertion_invalid"


def test_nul_inside_signed_tokens_reaches_the_database_and_is_a_4xx(client: TestClient, holder_app: MobileApp) -> None:
    """Past the boundary (base64url hides it): the device id a sign-in proof names, the
    challenge it answers, the jti of an identity assertion, all looked up in the database."""
    device_id, signer = next(iter(holder_app.keys.items()))
    r = client.post("/v1/auth/token", json={"proof": compact('{"alg":"ES256","kid":"d\\u0000"}', "{}")})
    assert r.status_code in (401, 422) and r.json()["code"] in ("unauthorized", "invalid_input"), r.text
    challenge = client.post("/v1/auth/challenge").json()
    payload = json.dumps({"challenge": challenge["challenge"] + "\x00", "aud": challenge["aud"], "iat": client.app.state.ecert.clock.epoch()})  # type: ignore[attr-defined]
    header = json.dumps({"alg": "ES256", "typ": "ecert-sign-in+jwt", "kid": device_id})
    r = client.post("/v1/auth/token", json={"proof": compact(header, payload, signer), "device_id": device_id})
    assert r.status_code in (401, 422) and r.json()["code"] in ("unauthorized", "invalid_input"), r.text


def test_nul_in_a_token_on_postgresql_is_invalid_input_and_logs_no_value(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    if client.app.state.ecert.engine.dialect.name != "postgresql":  # type: ignore[attr-defined]
        pytest.skip("SQLite stores NUL in text; the DataError is PostgreSQL's")
    marker = "secret-marker-7f3a"
    caplog.set_level(logging.DEBUG)
    r = client.post("/v1/auth/token", json={"proof": compact(json.dumps({"alg": "ES256", "kid": marker + "\x00"}), "{}")})
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    logged = "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)
    assert "database refused a value" in logged
    assert marker not in logged
    assert not any(record.exc_info for record in caplog.records if record.name.startswith("ecert"))


# --- what the logs hold -------------------------------------------------------------------


def test_engines_hide_sql_parameters(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert engine.hide_parameters is True
        async_engine = make_async_engine(engine)
        if async_engine is not None:
            assert async_engine.sync_engine.hide_parameters is True
    finally:
        engine.dispose()


def test_a_database_error_500_logs_no_parameters_and_no_message(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    """The 500 handler given a real driver error whose statement carried a secret."""
    import asyncio

    from sqlalchemy.exc import SQLAlchemyError
    from starlette.requests import Request

    state = client.app.state.ecert  # type: ignore[attr-defined]
    marker = "secret-marker-c0de"
    # PostgreSQL quotes the value back in its own message (invalid input for an integer)
    statement = "SELECT CAST(:v AS INTEGER)" if state.engine.dialect.name == "postgresql" else "SELECT x FROM no_such_table WHERE x = :v"
    with state.engine.connect() as conn, pytest.raises(SQLAlchemyError) as raised:
        conn.execute(text(statement), {"v": marker})
    assert "SQL parameters hidden" in str(raised.value)
    try:
        raise RuntimeError("while handling the request") from raised.value
    except RuntimeError as wrapped:
        outer = wrapped
    handler = client.app.exception_handlers[Exception]  # type: ignore[attr-defined]
    scope = {"type": "http", "method": "GET", "path": "/v1/x/" + marker, "headers": [], "query_string": b"", "app": client.app}
    caplog.set_level(logging.DEBUG)
    response = asyncio.run(handler(Request(scope), outer))
    assert response.status_code == 500 and marker.encode() not in response.body
    records = [r for r in caplog.records if r.name == "ecert.errors"]
    assert len(records) == 1
    line = records[0].getMessage() + (records[0].exc_text or "")
    assert marker not in line
    assert "SELECT" not in line and "message withheld" in line and "Traceback" in line


def test_no_4xx_here_logged_a_traceback(client: TestClient, bank: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    _, headers = bank
    responses = [
        client.post("/v1/verify", content=nested_arrays(1_500), headers={**headers, "content-type": "application/json"}),
        client.get("/v1/types/" + quote(NUL, safe="")),
        client.post("/v1/holders", json={"identity_assertion": compact(jose_header(DEEP["arrays-1500"]), "{}")}),
        client.post("/v1/auth/token", json={"proof": compact('{"alg":"ES256","kid":"d\\u0000"}', "{}")}),
        client.post("/token", data={"grant_type": PRE_AUTH, "pre-authorized_code": NUL}),
    ]
    assert all(400 <= r.status_code < 500 for r in responses), [r.status_code for r in responses]
    assert not [record for record in caplog.records if record.exc_info or record.exc_text]
