"""The desk's issuer keys are cached between scans, and the cache never refuses a genuine QR:
a key published since it was filled is read at once, a retired key leaves on time."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from keys.store import ACTIVE_KEY_RECHECK_S, SignerCache, rotate_key
from tests.qr_desk import LICENCE, _licence, _mobile_qr, _party, _verify

from wallet_api.clock import FixedClock
from wallet_api.qr.services import agency_ids, issuer_key_index, qr_services


def _kids(resolver, state) -> set[str]:  # type: ignore[no-untyped-def]
    return {key.kid for agency in agency_ids(state) for key in resolver(agency)}


def _rotate(client: TestClient) -> str:
    state = client.app.state.ecert  # type: ignore[attr-defined]
    with Session(state.engine, expire_on_commit=False) as session:
        new = rotate_key(session, passphrase=state.settings.effective_key_passphrase, alg="ES256",
                         now=state.clock.now(), max_validity=state.max_validity)
    # the issuing side signs with the new key from now on (its own cache re-reads every few seconds)
    state.signers = SignerCache(state.settings.effective_key_passphrase)
    return new.kid


def test_cached_keys_are_reread_after_the_recheck_interval(app_client: TestClient, clock: FixedClock) -> None:
    state = app_client.app.state.ecert  # type: ignore[attr-defined]
    with Session(state.engine) as session:
        before = _kids(issuer_key_index(state, session), state)
    new_kid = _rotate(app_client)
    with Session(state.engine) as session:
        assert _kids(issuer_key_index(state, session), state) == before  # served from the cache
        assert new_kid in _kids(qr_services(state, session).fresh_issuer_keys(), state)  # type: ignore[misc]
        clock.advance(31)
        assert new_kid in _kids(issuer_key_index(state, session), state)


def test_a_qr_signed_by_a_key_published_after_the_cache_was_filled_verifies(
    app_client: TestClient, clock: FixedClock
) -> None:
    client = app_client
    app, phone, credential_id = _licence(client)
    venue = _party(client, "편의점", {LICENCE: ["age_over_19", "portrait_sha256"]})
    assert _verify(client, venue, _mobile_qr(app, phone, credential_id, "adult_check"))["valid"] is True  # fills the cache
    _rotate(client)
    after = _verify(client, venue, _mobile_qr(app, phone, credential_id, "adult_check"))
    assert (after["valid"], after["code"]) == (True, None), after


def test_a_retired_key_leaves_the_cache_at_its_publish_until(app_client: TestClient, clock: FixedClock) -> None:
    state = app_client.app.state.ecert  # type: ignore[attr-defined]
    with Session(state.engine) as session:
        old = _kids(issuer_key_index(state, session), state)
    _rotate(app_client)
    with Session(state.engine) as session:
        assert old <= _kids(issuer_key_index(state, session, max_age_s=0), state)  # still published
        clock.advance(state.max_validity.total_seconds() + ACTIVE_KEY_RECHECK_S + 1)
        # past publish_until: gone, even though the recheck interval alone would allow the cached set
        assert not old & _kids(issuer_key_index(state, session, max_age_s=timedelta(days=10**4).total_seconds()), state)
