"""Two uvicorn workers on one PostgreSQL database behave as one system.

The real server runs in a subprocess with ``--workers 2``; the load is httpx from this
process, concurrent and bounded, each request on its own connection so both workers take
part. PostgreSQL only: SQLite has one writer per file, so "two workers" proves nothing there.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter

import httpx
from sqlmodel import Session

from issuers.operators import add_operator
from keys.jws import Signer, generate_private_key, parse_compact
from schemas.status_list import decode_status_list
from tests.issuing_helpers import issue_for
from tests.live_server import LIST_SIZE, LiveServer, PRE_AUTH, TYPE_ID, assert_records_consistent, fetch_credential, new_offers, post, proof, status_idx


# --- the tests ---------------------------------------------------------------------------
def test_status_indices_unique_across_workers(live_server: LiveServer) -> None:
    codes = new_offers(live_server.state, 40)
    holder = Signer.from_private_key(generate_private_key("ES256"))

    async def burst() -> list[tuple[list[int], str | None]]:
        limiter = asyncio.Semaphore(16)
        return await asyncio.gather(*(fetch_credential(live_server.url, code, holder, limiter) for code in codes))

    results = asyncio.run(burst())
    assert all(statuses == [200, 200, 200] for statuses, _ in results), [s for s, _ in results if s != [200, 200, 200]]
    credentials = [c for _, c in results if c]
    slots = [status_idx(c) for c in credentials]
    assert len(set(slots)) == len(credentials) == 40
    records = assert_records_consistent(live_server.state.engine)
    by_digest = {r.credential_digest: r for r in records}
    for credential, (_, idx) in zip(credentials, slots, strict=True):
        digest = hashlib.sha256(credential.split("~", 1)[0].encode("ascii")).hexdigest()
        assert by_digest[digest].status_idx == idx


def test_pre_authorized_code_is_single_use_across_workers(live_server: LiveServer) -> None:
    (code,) = new_offers(live_server.state, 1)

    async def race() -> list[httpx.Response]:
        limiter = asyncio.Semaphore(20)
        form = {"grant_type": PRE_AUTH, "pre-authorized_code": code}
        return await asyncio.gather(*(post(live_server.url, "/token", limiter, data=form) for _ in range(20)))

    statuses = Counter(r.status_code for r in asyncio.run(race()))
    assert statuses == {200: 1, 400: 19}


def test_c_nonce_is_single_use_across_workers(live_server: LiveServer) -> None:
    codes = new_offers(live_server.state, 12)
    holder = Signer.from_private_key(generate_private_key("ES256"))

    async def race() -> list[httpx.Response]:
        limiter = asyncio.Semaphore(12)
        tokens = await asyncio.gather(*(post(live_server.url, "/token", limiter, data={"grant_type": PRE_AUTH, "pre-authorized_code": c})
                                        for c in codes))
        nonce = (await post(live_server.url, "/nonce", limiter)).json()["c_nonce"]
        body = {"credential_configuration_id": TYPE_ID, "proofs": {"jwt": [proof(holder, live_server.url, nonce)]}}
        return await asyncio.gather(*(
            post(live_server.url, "/credential", limiter, json=body, headers={"Authorization": f"Bearer {t.json()['access_token']}"})
            for t in tokens
        ))

    responses = asyncio.run(race())
    assert Counter(r.status_code for r in responses) == {200: 1, 400: 11}
    assert {r.json()["error"] for r in responses if r.status_code == 400} == {"invalid_nonce"}
    assert len(assert_records_consistent(live_server.state.engine)) == 1


def test_concurrent_revocations_in_one_status_byte_all_take_effect(live_server: LiveServer) -> None:
    state = live_server.state
    holder = Signer.from_private_key(generate_private_key("ES256"))
    with Session(state.engine, expire_on_commit=False) as session:
        issued = [issue_for(state, session, TYPE_ID, holder) for _ in range(LIST_SIZE)]
        agency = state.registry.get(TYPE_ID).agency.id
        api_key = add_operator(session, name="revoker", agency_id=agency, now=state.clock.now()).api_key
    assert len({i.status_uri for i in issued}) == 1  # one list of 8: four entries share each byte

    async def revoke_all() -> list[httpx.Response]:
        limiter = asyncio.Semaphore(LIST_SIZE)
        headers = {"Authorization": f"Bearer {api_key}"}
        return await asyncio.gather(*(post(live_server.url, f"/v1/admin/credentials/{i.record_id}/revoke", limiter, headers=headers,
                                           json={"reason": "fraud"})
                                      for i in issued))

    responses = asyncio.run(revoke_all())
    assert [r.status_code for r in responses] == [200] * LIST_SIZE, [r.text for r in responses if r.status_code != 200]
    published = httpx.get(live_server.url + "/status-lists/" + issued[0].status_uri.rsplit("/", 1)[1], timeout=10)
    assert published.status_code == 200
    decoded = decode_status_list(parse_compact(published.text).unverified_claims()["status_list"])
    assert [decoded.status_at(i.status_idx) for i in issued] == [1] * LIST_SIZE


def test_a_rotated_relying_party_key_stops_on_both_workers_within_a_second(live_server: LiveServer) -> None:
    """Issue 16: no worker keeps serving a rotated-out key from its cache past one second."""
    import time

    from verifiers.relying_parties import register_relying_party
    from wallet_api.auth.administrators import add_administrator

    state = live_server.state
    with Session(state.engine, expire_on_commit=False) as session:
        registered = register_relying_party(session, name="bank", allowed={TYPE_ID: ["name"]}, purpose="test",
                                            registry=state.registry, sealer=state.sealer, now=state.clock.now())
        admin = add_administrator(session, name="ops", now=state.clock.now())
        session.commit()
    old = {"Authorization": f"Bearer {registered.api_key}"}
    body = {"presentation": "garbage~", "nonce": "n", "audience": "a"}

    async def burst(headers: dict[str, str]) -> list[int]:
        limiter = asyncio.Semaphore(8)
        return [r.status_code for r in await asyncio.gather(*(post(live_server.url, "/v1/verify", limiter, json=body, headers=headers)
                                                                for _ in range(24)))]

    assert 401 not in asyncio.run(burst(old))  # both workers have the party cached
    client_id = registered.relying_party.client_id
    rotated = httpx.post(f"{live_server.url}/v1/admin/relying-parties/{client_id}/rotate-key",
                         headers={"Authorization": f"Bearer {admin.api_key}"}, timeout=30)
    assert rotated.status_code == 200, rotated.text
    time.sleep(1.1)  # the bound under test: one registry-version re-read per worker per second
    assert set(asyncio.run(burst(old))) == {401}
    assert 401 not in asyncio.run(burst({"Authorization": f"Bearer {rotated.json()['api_key']}"}))


def test_a_revocation_is_refused_by_the_next_verify_on_every_worker(live_server: LiveServer) -> None:
    """Issue 16: an operator revokes; the next POST /v1/verify on any worker says revoked
    (our own statuses are read from the database, not from a cached status list)."""
    import time

    from issuers.operators import add_operator
    from tests.issuing_helpers import device_signer, issue_for
    from tests.verifier_parties import direct
    from verifiers.relying_parties import register_relying_party

    state = live_server.state
    holder = device_signer()
    with Session(state.engine, expire_on_commit=False) as session:
        issued = issue_for(state, session, TYPE_ID, holder)
        session.commit()
        registered = register_relying_party(session, name="bank", allowed={TYPE_ID: ["name"]}, purpose="test",
                                            registry=state.registry, sealer=state.sealer, now=state.clock.now())
        operator = add_operator(session, name="MOIS desk", agency_id="mois", now=state.clock.now())
        session.commit()
    client_id = registered.relying_party.client_id
    headers = {"Authorization": f"Bearer {registered.api_key}"}

    async def burst(label: str) -> list[tuple[bool, str | None]]:
        limiter = asyncio.Semaphore(8)

        async def one(i: int) -> httpx.Response:
            nonce = f"{label}-{i}"
            presentation = direct(holder, issued.credential, ["name"], nonce=nonce, aud=client_id, iat=int(time.time()))
            body = {"presentation": presentation, "nonce": nonce, "audience": client_id}
            return await post(live_server.url, "/v1/verify", limiter, json=body, headers=headers)

        answers = [r.json() for r in await asyncio.gather(*(one(i) for i in range(16)))]
        return [(a["valid"], a["code"]) for a in answers]

    assert set(asyncio.run(burst("before"))) == {(True, None)}  # both workers served, lists cached
    revoked = httpx.post(f"{live_server.url}/v1/admin/credentials/{issued.record_id}/revoke",
                         headers={"Authorization": f"Bearer {operator.api_key}"}, json={"reason": "fraud"}, timeout=30)
    assert revoked.status_code == 200, revoked.text
    assert set(asyncio.run(burst("after"))) == {(False, "revoked")}
