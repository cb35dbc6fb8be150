"""Issue 12: what anonymous callers can make the service store, count and log.

- every table an unauthenticated route writes stays bounded: expired rows are swept on the
  request path, a bounded batch at a time;
- anonymous callers are rate limited by a counter in the database (429 ``rate_limited``);
- attempt counters (share-link viewing codes, OpenID4VCI tx_codes) are claimed atomically:
  parallel wrong guesses get no more evaluations than the limit (PostgreSQL);
- the share-link viewing code travels in a header, never in the URL, and the bearer secrets
  that must stay in URLs are redacted from the request logs.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from issuers.oid4vci.models import MAX_TX_CODE_FAILURES, Oid4vciNonce, Oid4vciOffer
from tests.oid4vci_wallet import _offer_over_admin_api
from tests.wallet_app import ABSTRACT, MobileApp, person_with_types
from wallet_api.app import create_app
from wallet_api.clock import FixedClock
from wallet_api.http.log_redaction import REDACTED, redact
from wallet_api.http.rate_limits import RateLimitWindow
from wallet_api.wallet.models import ShareLink, SignInChallenge

PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


@pytest.fixture
def clock() -> FixedClock:
    from datetime import UTC, datetime

    # the start of a minute: a test's calls all land in one rate-limit window
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    return FixedClock(now)


def _client(settings: Any, clock: FixedClock, **changes: Any) -> TestClient:
    return TestClient(create_app(settings.model_copy(update=changes), clock=clock), base_url="https://ecert.test")


def _count(client: TestClient, model: Any) -> int:
    with Session(client.app.state.ecert.engine) as session:  # type: ignore[attr-defined]
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


# --- expired rows: swept on the request path --------------------------------------------
@pytest.mark.parametrize(
    ("path", "model", "ttl_setting"),
    [("/v1/auth/challenge", SignInChallenge, "sign_in_challenge_ttl_s"), ("/nonce", Oid4vciNonce, "nonce_ttl_s")],
)
def test_anonymous_inserts_do_not_grow_the_table_past_the_live_rows(
    settings: Any, clock: FixedClock, path: str, model: Any, ttl_setting: str
) -> None:
    """A loop on an anonymous route: once the first rows expire, later calls sweep them."""
    with _client(settings, clock) as client:
        rounds = 4 * client.app.state.ecert.settings.expired_sweep_every  # type: ignore[attr-defined]
        for _ in range(rounds):
            assert client.post(path).status_code == 200
        assert _count(client, model) == rounds
        clock.advance(getattr(client.app.state.ecert.settings, ttl_setting) + 1)  # type: ignore[attr-defined]
        for _ in range(rounds):
            assert client.post(path).status_code == 200
        # every row of the first loop has expired and is gone; the live ones stay
        assert _count(client, model) == rounds


@pytest.mark.parametrize(
    ("path", "model", "ttl_setting"),
    [("/v1/auth/challenge", SignInChallenge, "sign_in_challenge_ttl_s"), ("/nonce", Oid4vciNonce, "nonce_ttl_s")],
)
def test_a_sweep_deletes_at_most_one_batch(settings: Any, clock: FixedClock, path: str, model: Any, ttl_setting: str) -> None:
    """Bounded work per request (before, /nonce deleted every expired row on every call):
    with batch 3 and a sweep on every insert, 10 expired rows take four inserts to clear."""
    with _client(settings, clock, expired_sweep_every=1, expired_sweep_batch=3) as client:
        for _ in range(10):
            assert client.post(path).status_code == 200
        clock.advance(getattr(client.app.state.ecert.settings, ttl_setting) + 1)  # type: ignore[attr-defined]
        counts = []
        for _ in range(4):
            assert client.post(path).status_code == 200
            counts.append(_count(client, model))
        # each call adds one live row and removes three expired ones, until none are left
        assert counts == [8, 6, 4, 4]


def test_a_swept_challenge_is_refused_like_an_expired_one(settings: Any, clock: FixedClock) -> None:
    with _client(settings, clock, expired_sweep_every=1) as client:
        app = MobileApp(client, person_with_types(client, 1)[0])
        app.enrol()
        phone = app.register_device()
        old = client.post("/v1/auth/challenge").json()
        clock.advance(client.app.state.ecert.settings.sign_in_challenge_ttl_s + 1)  # type: ignore[attr-defined]
        client.post("/v1/auth/challenge")  # sweeps the old one
        r = client.post("/v1/auth/token", json={"proof": app.sign_in_proof(phone, old), "device_id": phone})
        assert r.status_code == 401 and r.json()["code"] == "unauthorized"
        app.sign_in(phone)


def test_openid4vp_responses_sweep_expired_replay_marks(settings: Any, clock: FixedClock) -> None:
    from tests.wallet_app import bank_request, register_bank
    from verifiers.models import UsedNonce

    with _client(settings, clock, expired_sweep_every=1) as client:
        with Session(client.app.state.ecert.engine) as session:  # type: ignore[attr-defined]
            for i in range(3):
                session.add(UsedNonce(scope="old", digest=f"{i:064d}", used_at=0, expires_at=clock.epoch() - 10))
            session.commit()
        app = MobileApp(client, person_with_types(client, 1)[0])
        app.enrol()
        phone = app.register_device()
        app.sign_in(phone)
        credential = app.obtain(ABSTRACT, phone)["id"]
        api_key, _client_id = register_bank(client)
        _, submitted = app.present(bank_request(client, api_key, ["name"])["uri"], [credential], phone)
        with Session(client.app.state.ecert.engine) as session:  # type: ignore[attr-defined]
            scopes = list(session.scalars(select(UsedNonce.scope)))  # type: ignore[call-overload]
        # the expired marks went, the mark of the presentation just accepted stays
        assert "old" not in scopes and len(scopes) == 1


# --- rate limits --------------------------------------------------------------------------
ANONYMOUS_WRITES: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/v1/auth/challenge", {}),
    ("POST", "/v1/auth/token", {"json": {"proof": "x.y.z"}}),
    ("POST", "/v1/holders", {"json": {"identity_assertion": "x.y.z"}}),
    ("POST", "/v1/dev/identity-assertions", {"json": {"person_id": "nobody"}}),
    ("POST", "/nonce", {}),
    ("POST", "/token", {"data": {"grant_type": PRE_AUTH, "pre-authorized_code": "guess"}}),
    ("POST", "/openid4vp/responses/" + "0" * 32, {"data": {"state": "guess"}}),
    ("GET", "/v1/shared/" + "0" * 32, {"headers": {"X-Viewing-Code": "12345678"}}),
    ("POST", "/console/sign-in", {"data": {"api_key": "ecrp_guess", "csrf_token": "x"}}),
]
OAUTH_BODIES = {"/nonce", "/token", "/openid4vp/responses/" + "0" * 32}


@pytest.mark.parametrize(("method", "path", "kwargs"), ANONYMOUS_WRITES, ids=[p for _m, p, _k in ANONYMOUS_WRITES])
def test_anonymous_writers_are_rate_limited(settings: Any, clock: FixedClock, method: str, path: str, kwargs: dict[str, Any]) -> None:
    with _client(settings, clock, rate_limit_anonymous_per_minute=3) as client:
        for _ in range(3):
            assert client.request(method, path, **kwargs).status_code != 429
        limited = client.request(method, path, **kwargs)
        assert limited.status_code == 429, limited.text
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        if path in OAUTH_BODIES:
            assert limited.json()["error"] == "rate_limited"
        else:
            assert limited.headers["content-type"].startswith("application/problem+json")
            assert limited.json()["code"] == "rate_limited"
        # the next window lets the caller in again
        clock.advance(60)
        assert client.request(method, path, **kwargs).status_code != 429


def test_rate_limit_counts_per_address_and_per_route_and_is_shared_by_workers(settings: Any, clock: FixedClock) -> None:
    with _client(settings, clock, rate_limit_anonymous_per_minute=2) as client:
        state = client.app.state.ecert  # type: ignore[attr-defined]
        for _ in range(2):
            assert client.post("/v1/auth/challenge").status_code == 200
        assert client.post("/v1/auth/challenge").status_code == 429
        # another route has its own budget
        assert client.post("/nonce").status_code == 200
        # another address has its own budget; the limiter keeps no address in clear
        state.rate_limiter.check(bucket="auth_challenge", address="192.0.2.7", now=clock.epoch())
        with Session(state.engine) as session:
            stored = set(session.scalars(select(RateLimitWindow.client)))  # type: ignore[call-overload]
        assert "testclient" not in stored and "192.0.2.7" not in stored and len(stored) == 2
        # a second app on the same database (another worker) sees the same count
        with _client(settings, clock, rate_limit_anonymous_per_minute=2) as other_worker:
            assert other_worker.post("/v1/auth/challenge").status_code == 429


def test_rate_limit_windows_are_swept(settings: Any, clock: FixedClock) -> None:
    with _client(settings, clock, expired_sweep_every=1) as client:
        for _ in range(3):
            client.post("/v1/auth/challenge")
            client.post("/nonce")
        assert _count(client, RateLimitWindow) == 2
        clock.advance(120)
        client.post("/v1/auth/challenge")
        # the old windows of both buckets are gone, the new one stays
        assert _count(client, RateLimitWindow) == 1


# --- share links: the code in a header, attempts claimed atomically --------------------
def _share_link(client: TestClient) -> tuple[str, str, str]:
    """(path, link id, viewing code) of a fresh one-time link made over HTTP."""
    app = MobileApp(client, person_with_types(client, 1)[0])
    app.enrol()
    phone = app.register_device()
    app.sign_in(phone)
    credential = app.obtain(ABSTRACT, phone)["id"]
    prepared = client.post("/v1/wallet/share-links", json={"credential_id": credential, "claims": ["name"]}, headers=app.auth).json()
    done = client.post(
        f"/v1/wallet/presentations/{prepared['consent_id']}/submit",
        json={"kb_jwt_signature": app.sign_items(prepared, phone)[credential]},
        headers=app.auth,
    ).json()
    # the holder gets the link and the code apart: no URL with the code in it
    assert "code" not in done["link"] and done["viewing_code"] not in done["link"]
    path = done["link"].removeprefix("https://ecert.test")
    return path, path.rsplit("/", 1)[1], done["viewing_code"]


def test_viewing_code_in_the_url_is_refused_unevaluated(client: TestClient) -> None:
    path, link_id, code = _share_link(client)
    for _ in range(10):
        refused = client.get(path, params={"code": code})
        assert refused.status_code == 400 and refused.json()["code"] == "viewing_code_in_url"
    with Session(client.app.state.ecert.engine) as session:  # type: ignore[attr-defined]
        link = session.get(ShareLink, link_id)
        assert link is not None and link.failed_attempts == 0 and link.status == "active"
    viewed = client.get(path, headers={"X-Viewing-Code": code})
    assert viewed.status_code == 200 and viewed.json()["valid"] is True


@pytest.fixture
def client(settings: Any) -> Iterator[TestClient]:
    """The app with the per-credential rate limit off: the parallel tests below prove the
    per-link and per-offer attempt counters, not the rate limit in front of them."""
    with TestClient(create_app(settings.model_copy(update={"rate_limit_credential_per_minute": 0})),
                    base_url="https://ecert.test") as test_client:
        yield test_client


def _require_postgres(client: TestClient) -> None:
    if client.app.state.ecert.engine.dialect.name != "postgresql":  # type: ignore[attr-defined]
        pytest.skip("parallel attempts need PostgreSQL: set ECERT_TEST_DATABASE_URL (SQLite has a single writer)")


def test_parallel_wrong_viewing_codes_are_evaluated_at_most_the_limit(client: TestClient) -> None:
    _require_postgres(client)
    path, link_id, code = _share_link(client)
    limit = client.app.state.ecert.settings.share_link_max_code_attempts  # type: ignore[attr-defined]
    wrong = "12345678" if code != "12345678" else "87654321"
    barrier = threading.Barrier(40)

    def guess(_: int) -> int:
        barrier.wait()
        return client.get(path, headers={"X-Viewing-Code": wrong}).status_code

    with ThreadPoolExecutor(max_workers=40) as pool:
        answers = Counter(pool.map(guess, range(40)))
    # 401: the code was evaluated (and wrong); 410 and 429 (the per-link rate limit): refused
    # without evaluating it
    assert answers[401] <= limit and answers[401] + answers[410] + answers[429] == 40, answers
    assert client.get(path, headers={"X-Viewing-Code": code}).status_code == 410
    with Session(client.app.state.ecert.engine) as session:  # type: ignore[attr-defined]
        link = session.get(ShareLink, link_id)
        assert link is not None and link.status == "burned" and link.failed_attempts == limit
        assert link.sealed_presentation is None


# --- OpenID4VCI tx_code: attempts claimed before evaluation -----------------------------
def _token(client: TestClient, created: dict[str, Any], tx_code: str) -> httpx.Response:
    code = created["credential_offer"]["grants"][PRE_AUTH]["pre-authorized_code"]
    return client.post("/token", data={"grant_type": PRE_AUTH, "pre-authorized_code": code, "tx_code": tx_code})


def test_wrong_tx_codes_past_the_limit_are_not_evaluated(client: TestClient) -> None:
    """Before: every guess was compared (the sixth wrong one still said "wrong tx_code", the
    right one a different error), an oracle on a dead offer."""
    created = _offer_over_admin_api(client, [ABSTRACT], tx_code=True)
    wrong = f"{(int(created['tx_code']) + 1) % 10**6:06d}"
    details = [_token(client, created, wrong).json()["error_description"] for _ in range(MAX_TX_CODE_FAILURES + 3)]
    assert details.count("wrong tx_code") == MAX_TX_CODE_FAILURES
    right = _token(client, created, created["tx_code"])
    assert right.status_code == 400 and right.json()["error"] == "invalid_grant"
    assert right.json()["error_description"] == details[-1]


def test_the_right_tx_code_on_the_last_attempt_still_works(client: TestClient) -> None:
    created = _offer_over_admin_api(client, [ABSTRACT], tx_code=True)
    wrong = f"{(int(created['tx_code']) + 1) % 10**6:06d}"
    for _ in range(MAX_TX_CODE_FAILURES - 1):
        assert _token(client, created, wrong).json()["error_description"] == "wrong tx_code"
    assert _token(client, created, created["tx_code"]).status_code == 200


def test_parallel_wrong_tx_codes_are_evaluated_at_most_the_limit(client: TestClient) -> None:
    _require_postgres(client)
    created = _offer_over_admin_api(client, [ABSTRACT], tx_code=True)
    wrong = f"{(int(created['tx_code']) + 1) % 10**6:06d}"
    barrier = threading.Barrier(40)

    def guess(_: int) -> str:
        barrier.wait()
        return str(_token(client, created, wrong).json()["error_description"])

    with ThreadPoolExecutor(max_workers=40) as pool:
        answers = Counter(pool.map(guess, range(40)))
    assert answers["wrong tx_code"] <= MAX_TX_CODE_FAILURES, answers
    assert _token(client, created, created["tx_code"]).status_code == 400
    with Session(client.app.state.ecert.engine) as session:  # type: ignore[attr-defined]
        offer = session.get(Oid4vciOffer, created["offer_id"])
        assert offer is not None and offer.tx_code_failures == MAX_TX_CODE_FAILURES and offer.redeemed_at is None


# --- request logs: bearer secrets redacted ------------------------------------------------
def test_redact_rewrites_secret_segments_and_code_values() -> None:
    assert redact("/v1/shared/abc123?code=12345678") == f"/v1/shared/{REDACTED}?code={REDACTED}"
    assert redact("/oid4vci/offers/REF-secret") == f"/oid4vci/offers/{REDACTED}"
    assert redact("/openid4vp/requests/r1?x=1") == f"/openid4vp/requests/{REDACTED}?x=1"
    assert redact("/console/bank?lang=en") == "/console/bank?lang=en"
    assert "s3cr3t" not in redact("openid4vp://?client_id=a&request_uri=https%3A%2F%2Fx%2Fopenid4vp%2Frequests%2Fs3cr3t")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def live_access_log(settings: Any) -> Iterator[tuple[str, _Lines]]:
    """A real uvicorn server with its default logging configuration (as ``ecert serve`` runs
    it; configured after the app was built, so a filter that dictConfig dropped would show);
    yields its base URL and the formatted lines of its access log."""
    port = _free_port()
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, access_log=True, lifespan="on")
    server = uvicorn.Server(config)
    lines = _Lines()
    access = logging.getLogger("uvicorn.access")
    access.addHandler(lines)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", lines
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        access.removeHandler(lines)


def test_bearer_secrets_never_reach_the_access_log(live_access_log: tuple[str, _Lines]) -> None:
    base_url, log = live_access_log
    secrets_in_urls = {
        "/oid4vci/offers/OFFERsecretREFERENCE": "OFFERsecretREFERENCE",
        "/openid4vp/requests/REQUESTsecretID": "REQUESTsecretID",
        "/v1/shared/LINKsecretID?code=87654321": "87654321",
    }
    with httpx.Client(base_url=base_url) as http:
        for path in secrets_in_urls:
            http.get(path)
        http.get("/healthz")
    deadline = time.monotonic() + 10
    while len(log.lines) < 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(log.lines) == 4 and any("/healthz" in line for line in log.lines), log.lines
    for secret in [*secrets_in_urls.values(), "LINKsecretID"]:
        assert not any(secret in line for line in log.lines), (secret, log.lines)
    assert any(f"/oid4vci/offers/{REDACTED}" in line for line in log.lines)
