"""What a stranger who saw a bank's QR can do to its OpenID4VP request (issue 12).

The QR is public: anyone can fetch the request object and so learn its ``state`` and
``nonce``. A stranger can say "declined" (recorded, shown to the bank, the request stays
open) but cannot end the request: only a response carrying a presentation bound to it (a
trusted credential whose holder key signed a KB-JWT over this nonce for this bank) does.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from issuers.credential_status import change_status
from keys.jws import Signer, parse_compact
from keys.sd_jwt import select_disclosures
from verifiers.models import PresentationRequest, UsedNonce
from wallet_api.state import AppState

from tests.issuing_helpers import device_signer, issue_for
from tests.verifier_parties import TYPE, Wallet, create, direct, path_of


@pytest.fixture
def holder() -> Signer:
    return device_signer()


@pytest.fixture
def credential(state: AppState, session: Session, holder: Signer) -> Any:
    return issue_for(state, session, TYPE, holder)


def _seen_by_a_stranger(client: TestClient, created: dict[str, Any]) -> dict[str, Any]:
    """The request object, as anyone who scanned the QR reads it (no wallet, no checks)."""
    request_uri = created["request_uri"]
    r = client.get(path_of(request_uri))
    assert r.status_code == 200
    return parse_compact(r.text).unverified_claims()


def _poll(client: TestClient, headers: dict[str, str], created: dict[str, Any]) -> dict[str, Any]:
    return client.get(f"/v1/presentation-requests/{created['id']}", headers=headers).json()


def _marks(session: Session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(UsedNonce)).one()


def test_a_stranger_declining_does_not_end_the_request(client: TestClient, bank, holder: Signer, credential: Any) -> None:  # type: ignore[no-untyped-def]
    _, headers = bank
    created = create(client, headers, ["name"])
    seen = _seen_by_a_stranger(client, created)
    r = client.post(path_of(seen["response_uri"]), data={"error": "access_denied", "state": seen["state"]})
    assert r.status_code == 200

    polled = _poll(client, headers, created)
    assert (polled["status"], polled["error"], polled["wallet_error"]) == ("pending", None, "access_denied")

    # the customer's wallet still answers, and that answer counts
    wallet = Wallet(client, holder, credential.credential)
    request = wallet.resolve(created["uri"])
    assert wallet.respond(request, {"abstract": [wallet.presentation(request, ["name"])]}).status_code == 200
    done = _poll(client, headers, created)
    assert done["status"] == "done" and done["error"] is None and done["complete"] is True
    assert done["result"]["abstract"]["valid"] is True


def test_a_stranger_cannot_burn_the_request_with_unbound_presentations(  # type: ignore[no-untyped-def]
    client: TestClient, bank, other_bank, state: AppState, session: Session, holder: Signer, credential: Any
) -> None:
    client_id, headers = bank
    other_client_id, _ = other_bank
    created = create(client, headers, ["name"])
    seen = _seen_by_a_stranger(client, created)
    now = state.clock.epoch()
    unbound = {
        "garbage": "garbage~",
        # a copy of a genuine credential, its KB-JWT removed (forwarded, or seen elsewhere)
        "no key binding": select_disclosures(credential.credential, [("name",)]),
        "another nonce": direct(holder, credential.credential, ["name"], nonce="an-old-nonce", aud=client_id, iat=now),
        "another party": direct(holder, credential.credential, ["name"], nonce=seen["nonce"], aud=other_client_id, iat=now),
    }
    for why, presentation in unbound.items():
        r = client.post(path_of(seen["response_uri"]),
                        data={"vp_token": json.dumps({"abstract": [presentation]}), "state": seen["state"]})
        assert r.status_code == 400 and r.json()["error"] == "invalid_request", (why, r.text)
        assert "bound to this request" in r.json()["error_description"]
        assert _poll(client, headers, created)["status"] == "pending", why
    assert _marks(session) == 0

    wallet = Wallet(client, holder, credential.credential)
    request = wallet.resolve(created["uri"])
    r = wallet.respond(request, {"abstract": [wallet.presentation(request, ["name"])]})
    assert r.status_code == 200, r.text
    assert _poll(client, headers, created)["result"]["abstract"]["valid"] is True
    assert _marks(session) == 1


def test_a_bound_answer_ends_the_request_whatever_the_verdict(  # type: ignore[no-untyped-def]
    client: TestClient, bank, state: AppState, session: Session, holder: Signer, credential: Any
) -> None:
    _, headers = bank
    change_status(session, record_id=credential.record_id, agency_id=state.registry.get(TYPE).agency.id, action="revoke", now=state.clock.now())
    created = create(client, headers, ["name"])
    wallet = Wallet(client, holder, credential.credential)
    request = wallet.resolve(created["uri"])
    assert wallet.respond(request, {"abstract": [wallet.presentation(request, ["name"])]}).status_code == 200
    answer = _poll(client, headers, created)
    assert answer["status"] == "done" and answer["result"]["abstract"]["code"] == "revoked"


def test_a_declined_request_that_nobody_answers_expires(client: TestClient, bank, state: AppState, session: Session) -> None:  # type: ignore[no-untyped-def]
    _, headers = bank
    created = create(client, headers, ["name"])
    seen = _seen_by_a_stranger(client, created)
    client.post(path_of(seen["response_uri"]), data={"error": "access_denied", "state": seen["state"]})
    row = session.get(PresentationRequest, created["id"])
    assert row is not None
    row.expires_at = state.clock.epoch() - 1
    session.add(row)
    session.commit()
    polled = _poll(client, headers, created)
    assert (polled["status"], polled["error"], polled["wallet_error"]) == ("done", "expired", "access_denied")
