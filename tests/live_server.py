"""Two uvicorn workers on one PostgreSQL database (the live_server fixture) and the OpenID4VCI load helpers the multi-worker and crash tests share.

A pytest plugin (tests/conftest.py lists it): its fixtures (live_server) are
available to every test."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from benchmarks.server import KEY_PASSPHRASE, STORAGE_KEY, ServerConfig, free_port, running_server
from issuers.adapters.base import Subject
from issuers.models import IssuedCredential
from issuers.status_lists.models import IssuerStatusList
from issuers.status_lists.permutation import unpermute
from keys.jws import Signer, parse_compact
from tests.issuing_helpers import person_with_record
from wallet_api.wiring.bootstrap import build_state
from wallet_api.settings import Settings
from wallet_api.state import AppState



TYPE_ID = "resident_registration_abstract"

#: tiny lists: 8 entries are 2 bytes, so a burst opens several lists at once across workers
#: and revocations land in shared bytes
LIST_SIZE = 8

PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"

@dataclass
class LiveServer:
    url: str
    state: AppState
    config: ServerConfig

def live_settings(config: ServerConfig) -> Settings:
    return Settings(data_dir=config.data_dir, database_url=config.database_url, public_url=config.public_url,
                    key_passphrase=KEY_PASSPHRASE, storage_key=STORAGE_KEY, status_list_size=LIST_SIZE)

def require_postgres(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("multi-worker behaviour needs PostgreSQL: set ECERT_TEST_DATABASE_URL (SQLite has a single writer)")

@pytest.fixture
def live_server(engine: Engine, database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    require_postgres(engine)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    config = ServerConfig(database_url, data_dir, free_port())
    # migrate and create the issuer key before the workers start, as `ecert serve` does
    state = build_state(live_settings(config))
    try:
        with running_server(config, workers=2, extra_env={"ECERT_STATUS_LIST_SIZE": str(LIST_SIZE)}):
            yield LiveServer(config.public_url, state, config)
    finally:
        state.engine.dispose()

# --- helpers: set-up in-process, load over HTTP ------------------------------------------
def new_offers(state: AppState, count: int) -> list[str]:
    from datetime import timedelta

    from issuers.oid4vci.offers import create_offer
    from wallet_api.wiring.issuing import issuer_services

    person = person_with_record(state, TYPE_ID)
    with Session(state.engine, expire_on_commit=False) as session:
        context = issuer_services(state, session)
        return [
            create_offer(session, context=context, type_ids=[TYPE_ID], subject=Subject(rrn=person.rrn), with_tx_code=False,
                         now=state.clock.now(), ttl=timedelta(minutes=30), created_by="test").pre_authorized_code
            for _ in range(count)
        ]

def proof(holder: Signer, audience: str, nonce: str) -> str:
    import time

    return holder.sign_compact({"typ": "openid4vci-proof+jwt", "jwk": holder.public_jwk},
                               {"aud": audience, "iat": int(time.time()), "nonce": nonce}, include_kid=False)

async def post(url: str, path: str, limiter: asyncio.Semaphore, **kwargs: Any) -> httpx.Response:
    # a fresh connection per request: the kernel spreads new connections over both workers
    async with limiter, httpx.AsyncClient(base_url=url, timeout=30) as client:
        return await client.post(path, **kwargs)

async def fetch_credential(url: str, code: str, holder: Signer, limiter: asyncio.Semaphore) -> tuple[list[int], str | None]:
    """The whole wallet round; returns every status code seen and the credential if issued."""
    statuses = []
    token = await post(url, "/token", limiter, data={"grant_type": PRE_AUTH, "pre-authorized_code": code})
    statuses.append(token.status_code)
    if token.status_code != 200:
        return statuses, None
    nonce = await post(url, "/nonce", limiter)
    statuses.append(nonce.status_code)
    body = {"credential_configuration_id": TYPE_ID, "proofs": {"jwt": [proof(holder, url, nonce.json()["c_nonce"])]}}
    response = await post(url, "/credential", limiter, json=body, headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    statuses.append(response.status_code)
    return statuses, response.json()["credentials"][0]["credential"] if response.status_code == 200 else None

def status_idx(credential: str) -> tuple[str, int]:
    status = parse_compact(credential.split("~", 1)[0]).unverified_claims()["status"]["status_list"]
    return status["uri"], status["idx"]

def assert_records_consistent(engine: Engine) -> list[IssuedCredential]:
    """No slot used twice; every record's slot lies below its list's reserved mark.

    Workers reserve slots in blocks, so a list's mark may run ahead of its records (slots
    reserved by a worker that stopped are never used); it never falls behind them.
    """
    with Session(engine) as session:
        records = list(session.exec(select(IssuedCredential)).scalars())  # type: ignore[call-overload]
        lists = {l.id: l for l in session.exec(select(IssuerStatusList)).scalars()}  # type: ignore[call-overload]
    slots = Counter((r.status_list_id, r.status_idx) for r in records)
    assert not [slot for slot, n in slots.items() if n > 1], "a status slot was handed out twice"
    for record in records:
        status_list = lists[record.status_list_id]
        counter = unpermute(record.status_idx, size=status_list.size, key=bytes(status_list.permutation_key))
        assert counter < status_list.allocated, f"list {status_list.id}: slot {record.status_idx} beyond the mark"
    assert all(l.allocated <= l.size for l in lists.values())
    return records
