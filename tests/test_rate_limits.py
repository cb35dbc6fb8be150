"""Rate limits per client address and per credential, over HTTP, in the database or in Redis.

- the guessing routes count per credential (pre-authorized code, device, person, shared link,
  party) whatever the address: with the per-address limit off, the same credential is refused
  past ``ECERT_RATE_LIMIT_CREDENTIAL_PER_MINUTE`` and another credential is not;
- ``POST /v1/verify`` and ``POST /v1/qr/verify`` count per address and per relying party
  (``ECERT_RATE_LIMIT_VERIFY_PER_MINUTE``);
- with ``ECERT_REDIS_URL`` the counts live in Redis (database 5 here, keys under a prefix of
  this test's own, deleted afterwards), none in ``rate_limit_window``;
- two uvicorn workers share one count (PostgreSQL, and Redis).
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from benchmarks.server import ServerConfig, free_port, running_server
from tests.live_server import live_settings, require_postgres
from verifiers.relying_parties import register_relying_party
from wallet_api.app import create_app
from wallet_api.wiring.bootstrap import build_state
from wallet_api.clock import FixedClock
from wallet_api.http.rate_limits import RateLimitWindow, RedisRateLimitBackend, asserted_identity

REDIS_URL = "redis://127.0.0.1:6379/5"
PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


def _redis_or_skip() -> Any:
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    return client


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own; its keys (and only those) are deleted afterwards."""
    client = _redis_or_skip()
    prefix = f"ecert-test-limits:{secrets.token_hex(6)}:"
    yield prefix
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)


@pytest.fixture
def clock() -> FixedClock:
    from datetime import UTC, datetime

    # the start of a minute: a test's calls all land in one window
    return FixedClock(datetime.now(UTC).replace(second=0, microsecond=0))


def _client(settings: Any, clock: FixedClock, address: str = "198.51.100.1", **changes: Any) -> TestClient:
    return TestClient(create_app(settings.model_copy(update=changes), clock=clock), base_url="https://ecert.test",
                      client=(address, 50000))


def _assertion(sub: str) -> str:
    claims = base64.urlsafe_b64encode(json.dumps({"iss": "https://idp.test", "sub": sub}).encode()).rstrip(b"=").decode()
    return f"eyJhbGciOiJFUzI1NiJ9.{claims}.{secrets.token_urlsafe(8)}"


def _guess(kind: str, credential: str) -> tuple[str, str, dict[str, Any]]:
    """One guess at ``credential`` of ``kind``: (method, path, request kwargs)."""
    if kind == "code":
        return "POST", "/token", {"data": {"grant_type": PRE_AUTH, "pre-authorized_code": credential, "tx_code": "0000"}}
    if kind == "device":
        return "POST", "/v1/auth/token", {"json": {"proof": "a.b.c", "device_id": credential}}
    if kind == "person":
        return "POST", "/v1/holders", {"json": {"identity_assertion": _assertion(credential)}}
    if kind == "link":
        return "GET", f"/v1/shared/{credential}", {"headers": {"X-Viewing-Code": "12345678"}}
    assert kind == "party"
    return "POST", "/console/sign-in", {"data": {"api_key": "ecrp_guess", "csrf_token": "x", "client_id": credential}}


@pytest.mark.parametrize("kind", ["code", "device", "person", "link", "party"])
def test_guesses_are_limited_per_credential(settings: Any, clock: FixedClock, kind: str) -> None:
    # the per-address limit off: what refuses is the per-credential count
    with _client(settings, clock, rate_limit_anonymous_per_minute=0, rate_limit_credential_per_minute=3) as client:
        method, path, kwargs = _guess(kind, "a" * 32)
        for _ in range(3):
            assert client.request(method, path, **kwargs).status_code != 429
        limited = client.request(method, path, **kwargs)
        assert limited.status_code == 429, limited.text
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        if path == "/token":  # the OAuth routes answer with an OAuth error body
            assert limited.json()["error"] == "rate_limited"
        else:
            assert limited.headers["content-type"].startswith("application/problem+json")
            assert limited.json()["code"] == "rate_limited"
        # another credential from the same address has its own budget
        method, path, kwargs = _guess(kind, "b" * 32)
        assert client.request(method, path, **kwargs).status_code != 429
        clock.advance(60)
        method, path, kwargs = _guess(kind, "a" * 32)
        assert client.request(method, path, **kwargs).status_code != 429


def test_enrolment_counts_the_person_not_the_assertion_bytes() -> None:
    assert asserted_identity(_assertion("p1")) == asserted_identity(_assertion("p1")) == "https://idp.test|p1"
    assert asserted_identity("not a jwt") == "not a jwt"


def _party(client: TestClient, name: str) -> dict[str, str]:
    state = client.app.state.ecert  # type: ignore[attr-defined]
    with Session(state.engine, expire_on_commit=False) as session:
        registered = register_relying_party(
            session, name=name, allowed={"resident_registration_abstract": ["name"]}, purpose="account opening",
            registry=state.registry, sealer=state.sealer, now=state.clock.now(),
        )
    return {"Authorization": f"Bearer {registered.api_key}"}


VERIFY_CALLS = [("/v1/verify", {"presentation": "garbage~", "nonce": "n"}), ("/v1/qr/verify", {"text": "garbage"})]


@pytest.mark.parametrize(("path", "body"), VERIFY_CALLS, ids=["verify", "qr_verify"])
def test_verification_is_limited_per_address_and_per_relying_party(settings: Any, clock: FixedClock, path: str, body: dict[str, Any]) -> None:
    with _client(settings, clock, rate_limit_verify_per_minute=3) as client:
        bank, other_bank = _party(client, "한빛은행"), _party(client, "다른은행")
        for _ in range(3):
            assert client.post(path, json=body, headers=bank).status_code == 200
        limited = client.post(path, json=body, headers=bank)
        assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
        assert limited.headers["content-type"].startswith("application/problem+json") and "Retry-After" in limited.headers
        # the same party from another address: refused by the per-party count
        elsewhere = TestClient(client.app, base_url="https://ecert.test", client=("203.0.113.9", 50000))
        assert elsewhere.post(path, json=body, headers=bank).status_code == 429
        # another party from that address: both its counts are fresh
        assert elsewhere.post(path, json=body, headers=other_bank).status_code == 200
        # another party from the first address: that address is spent
        assert client.post(path, json=body, headers=other_bank).status_code == 429


def test_verification_default_leaves_a_busy_counter_alone(settings: Any, clock: FixedClock) -> None:
    with _client(settings, clock) as client:
        bank = _party(client, "한빛은행")
        assert all(client.post("/v1/verify", json=VERIFY_CALLS[0][1], headers=bank).status_code == 200 for _ in range(50))


def test_redis_backend_counts_in_redis(settings: Any, clock: FixedClock, redis_prefix: str) -> None:
    redis_client = _redis_or_skip()
    changes = {"redis_url": REDIS_URL, "redis_key_prefix": redis_prefix, "rate_limit_verify_per_minute": 3}
    with _client(settings, clock, rate_limit_anonymous_per_minute=2, **changes) as client:
        state = client.app.state.ecert  # type: ignore[attr-defined]
        assert isinstance(state.rate_limiter.backend, RedisRateLimitBackend)
        assert [client.post("/v1/auth/challenge").status_code for _ in range(3)] == [200, 200, 429]
        # the async path of the verification routes
        bank = _party(client, "한빛은행")
        statuses = [client.post("/v1/verify", json=VERIFY_CALLS[0][1], headers=bank).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        # a second app on the same Redis (another worker) sees the same count
        with _client(settings, clock, rate_limit_anonymous_per_minute=2, **changes) as other_worker:
            assert other_worker.post("/v1/auth/challenge").status_code == 429
        with Session(state.engine) as session:
            assert session.scalar(select(func.count()).select_from(RateLimitWindow)) == 0
    keys = [key.decode() for key in redis_client.scan_iter(match=redis_prefix + "*")]
    assert keys and all("198.51.100.1" not in key for key in keys)
    # every key expires with its window
    assert all(0 < redis_client.ttl(key) <= 61 for key in keys)


# --- two workers ------------------------------------------------------------------------
def _wait_for_a_fresh_window() -> None:
    # the burst must not straddle a minute boundary (two windows would double the budget)
    if time.time() % 60 > 40:
        time.sleep(61 - time.time() % 60)


async def _burst(url: str, path: str, count: int, **kwargs: Any) -> list[int]:
    async def one() -> int:
        # a fresh connection per request: the kernel spreads new connections over both workers
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            return (await client.post(path, **kwargs)).status_code

    return list(await asyncio.gather(*(one() for _ in range(count))))


@pytest.mark.parametrize("backend", ["database", "redis"])
def test_two_workers_share_the_limit(engine: Engine, database_url: str, tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> None:
    require_postgres(engine)
    extra = {"ECERT_RATE_LIMIT_ANONYMOUS_PER_MINUTE": "5", "ECERT_RATE_LIMIT_VERIFY_PER_MINUTE": "7"}
    if backend == "redis":
        extra |= {"ECERT_REDIS_URL": REDIS_URL, "ECERT_REDIS_KEY_PREFIX": request.getfixturevalue("redis_prefix")}
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    config = ServerConfig(database_url, data_dir, free_port())
    state = build_state(live_settings(config))
    try:
        with Session(state.engine, expire_on_commit=False) as session:
            registered = register_relying_party(
                session, name="한빛은행", allowed={"resident_registration_abstract": ["name"]}, purpose="account opening",
                registry=state.registry, sealer=state.sealer, now=state.clock.now(),
            )
        bank = {"Authorization": f"Bearer {registered.api_key}"}
        with running_server(config, workers=2, extra_env=extra):
            _wait_for_a_fresh_window()
            challenges = asyncio.run(_burst(config.public_url, "/v1/auth/challenge", 20))
            verifies = asyncio.run(_burst(config.public_url, "/v1/verify", 20, json=VERIFY_CALLS[0][1], headers=bank))
        assert sorted(challenges) == [200] * 5 + [429] * 15
        assert sorted(verifies) == [200] * 7 + [429] * 13
    finally:
        state.engine.dispose()
