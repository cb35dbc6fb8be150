"""kill -9 in the middle of an issuance burst loses nothing that was acknowledged and
leaves nothing half-written.

The single-worker server (the process that runs the requests) is killed with SIGKILL while
credential requests are in flight, then started again on the same database. What the
allocator promises, and what is checked: a worker's block of slots is committed before any
credential uses it and the mark never goes back, so after any crash every record's slot is
below its list's mark, no slot is used twice (the restarted worker reserves a fresh block;
the dead worker's unused slots are simply never used), and every credential a client
received is in the database with the index it carries. PostgreSQL only (the production
engine; SQLite is single-writer).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session

from benchmarks.server import ServerConfig, free_port, running_server
from issuers.oid4vci.nonces import issue_nonce
from issuers.oid4vci.tokens import parse_token_request, redeem_pre_authorized_code
from keys.jws import Signer, generate_private_key
from tests.live_server import LIST_SIZE, PRE_AUTH, TYPE_ID, assert_records_consistent, live_settings, new_offers, proof, require_postgres, status_idx
from wallet_api.wiring.bootstrap import build_state

BURST = 120
KILL_AFTER = 25  # credentials received before the kill


def test_kill_9_mid_burst_loses_and_duplicates_nothing(engine: Engine, database_url: str, tmp_path: Path) -> None:
    require_postgres(engine)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    config = ServerConfig(database_url, data_dir, free_port())
    state = build_state(live_settings(config))
    try:
        holder = Signer.from_private_key(generate_private_key("ES256"))
        # tokens and nonces made beforehand: the burst is credential requests only
        requests = []
        with Session(state.engine, expire_on_commit=False) as session:
            for code in new_offers(state, BURST):
                now = state.clock.now()
                token = redeem_pre_authorized_code(
                    session, request=parse_token_request({"grant_type": PRE_AUTH, "pre-authorized_code": code}),
                    now=now, ttl=timedelta(minutes=30)).access_token
                nonce = issue_nonce(session, now=now, ttl=timedelta(minutes=30))
                requests.append((token, nonce))
        received: list[str] = []
        server_errors: list[int] = []

        async def burst(items: list[tuple[str, str]], stop_after: int | None, server_pid: int | None) -> None:
            limiter = asyncio.Semaphore(12)
            killed = threading.Event()

            async def one(token: str, nonce: str) -> None:
                body = {"credential_configuration_id": TYPE_ID, "proofs": {"jwt": [proof(holder, config.public_url, nonce)]}}
                async with limiter:
                    if killed.is_set():
                        return
                    try:
                        async with httpx.AsyncClient(base_url=config.public_url, timeout=20) as client:
                            response = await client.post("/credential", json=body, headers={"Authorization": f"Bearer {token}"})
                    except httpx.TransportError:
                        return  # the server died under this request: the client got nothing
                if response.status_code == 200:
                    received.append(response.json()["credentials"][0]["credential"])
                    if stop_after is not None and server_pid and len(received) >= stop_after and not killed.is_set():
                        killed.set()
                        os.kill(server_pid, signal.SIGKILL)
                elif response.status_code >= 500:
                    server_errors.append(response.status_code)

            await asyncio.gather(*(one(t, n) for t, n in items))

        env = {"ECERT_STATUS_LIST_SIZE": str(LIST_SIZE)}
        with running_server(config, workers=1, extra_env=env) as process:
            asyncio.run(burst(requests, KILL_AFTER, process.pid))
            deadline = time.monotonic() + 10
            while process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            assert process.returncode == -signal.SIGKILL
        before_restart = len(received)
        assert KILL_AFTER <= before_restart < BURST

        records = assert_records_consistent(state.engine)
        by_digest = {r.credential_digest: r for r in records}
        # the requests after the kill reach a restarted server; spent nonces are refused with 400
        with running_server(config, workers=1, extra_env=env):
            asyncio.run(burst(requests[before_restart:], None, None))
        assert not server_errors
        records = assert_records_consistent(state.engine)
        by_digest = {r.credential_digest: r for r in records}
        for credential in received:
            digest = hashlib.sha256(credential.split("~", 1)[0].encode("ascii")).hexdigest()
            assert digest in by_digest, "a credential the client received is missing from the database"
            assert by_digest[digest].status_idx == status_idx(credential)[1]
        assert len({status_idx(c) for c in received}) == len(received)
        assert len(received) > before_restart
    finally:
        state.engine.dispose()
