"""The verifier over real HTTP: the bank's OpenID4VP flow with a test wallet, POST /v1/verify,
relying-party isolation and registration limits, and the ``ecert rp add`` contract."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from issuers.credential_status import change_status
from keys.jws import Signer
from verifiers.models import PresentationRequest, UsedNonce
from wallet_api.state import AppState

from tests.verifier_parties import TYPE, Wallet, create, dcql, direct, path_of, vct


def test_bank_flow_over_openid4vp(client: TestClient, bank, holder: Signer, credential: Any) -> None:  # type: ignore[no-untyped-def]
    client_id, headers = bank
    created = create(client, headers, ["name", "current_address"])
    assert created["uri"].startswith("openid4vp://")
    assert client.get(f"/v1/presentation-requests/{created['id']}", headers=headers).json()["status"] == "pending"

    wallet = Wallet(client, holder, credential.credential)
    request = wallet.resolve(created["uri"])
    assert request["client_id"] == client_id
    assert request["dcql_query"]["credentials"][0]["claims"] == [{"path": ["name"]}, {"path": ["current_address"]}]
    r = wallet.respond(request, {"abstract": [wallet.presentation(request, ["name", "current_address"])]})
    assert r.status_code == 200, r.text

    body = client.get(f"/v1/presentation-requests/{created['id']}", headers=headers).json()
    assert body["status"] == "done" and body["complete"] is True
    answer = body["result"]["abstract"]
    assert answer["valid"] is True and answer["code"] is None and answer["match"] == "full"
    assert set(answer["claims"]) == {"name", "current_address"}
    assert answer["type_id"] == TYPE and answer["status"] == "valid"
    assert answer["labels"]["name"]["ko"] == "성명"
    assert all(c["passed"] for c in answer["checks"])


def test_partial_presentation_is_reported_as_such(client: TestClient, bank, holder: Signer, credential: Any) -> None:  # type: ignore[no-untyped-def]
    _, headers = bank
    created = create(client, headers, ["name", "current_address"])
    wallet = Wallet(client, holder, credential.credential)
    request = wallet.resolve(created["uri"])
    assert wallet.respond(request, {"abstract": [wallet.presentation(request, ["name"])]}).status_code == 200
    body = client.get(f"/v1/presentation-requests/{created['id']}", headers=headers).json()
    answer = body["result"]["abstract"]
    assert body["complete"] is False
    assert answer["valid"] is True and answer["match"] == "partial"
    assert answer["missing_claims"] == [["current_address"]]
    assert set(answer["claims"]) == {"name"}


def test_over_disclosure_is_not_passed_on(client: TestClient, bank, holder: Signer, credential: Any) -> None:  # type: ignore[no-untyped-def]
    _, headers = bank
    created = create(client, headers, ["name"])
    wallet = Wallet(client, holder, credential.credential)
    request = wallet.resolve(created["uri"])
    wallet.respond(request, {"abstract": [wallet.presentation(request, ["name", "resident_registration_number"])]})
    answer = client.get(f"/v1/presentation-requests/{created['id']}", headers=headers).json()["result"]["abstract"]
    assert set(answer["claims"]) == {"name"}


def test_response_is_single_use_and_wrong_state_burns_nothing(client: TestClient, bank, holder: Signer, credential: Any, session: Session) -> None:  # type: ignore[no-untyped-def]
    _, headers = bank
    created = create(client, headers, ["name"])
    wallet = Wallet(client, holder, credential.credential)
    request = wallet.resolve(created["uri"])
    presentation = wallet.presentation(request, ["name"])
    r = wallet.respond(request, {"abstract": [presentation]}, state="not-the-state")
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    assert client.get(f"/v1/presentation-requests/{created['id']}", headers=headers).json()["status"] == "pending"
    assert wallet.respond(request, {"abstract": [presentation]}).status_code == 200
    again = wallet.respond(request, {"abstract": [presentation]})
    assert again.status_code == 400 and again.json()["error"] == "invalid_request"
    # the request object is gone too: nonce and state are spent
    assert client.get(path_of(request["response_uri"]).replace("responses", "requests")).status_code == 400


def test_expired_request(client: TestClient, bank, state: AppState, session: Session) -> None:  # type: ignore[no-untyped-def]
    _, headers = bank
    created = create(client, headers, ["name"])
    row = session.get(PresentationRequest, created["id"])
    assert row is not None
    row.expires_at = state.clock.epoch() - 1
    session.add(row)
    session.commit()
    body = client.get(f"/v1/presentation-requests/{created['id']}", headers=headers).json()
    assert body["status"] == "done" and body["error"] == "expired" and body["result"] is None
    assert client.get(f"/openid4vp/requests/{created['id']}").status_code == 400


def test_wallet_declining_is_reported(client: TestClient, bank, holder: Signer, credential: Any) -> None:  # type: ignore[no-untyped-def]
    # reported, not final: anyone who saw the QR could have said it (test_openid4vp_strangers.py)
    _, headers = bank
    created = create(client, headers, ["name"])
    request = Wallet(client, holder, credential.credential).resolve(created["uri"])
    r = client.post(path_of(request["response_uri"]), data={"error": "access_denied", "state": request["state"]})
    assert r.status_code == 200
    body = client.get(f"/v1/presentation-requests/{created['id']}", headers=headers).json()
    assert body["status"] == "pending" and body["error"] is None and body["wallet_error"] == "access_denied"


def test_another_relying_party_cannot_read_a_request(client: TestClient, bank, other_bank) -> None:  # type: ignore[no-untyped-def]
    _, headers = bank
    _, other_headers = other_bank
    created = create(client, headers, ["name"])
    for suffix in ("", "/qr.png", "/qr.svg"):
        assert client.get(f"/v1/presentation-requests/{created['id']}{suffix}", headers=other_headers).status_code == 404
    png = client.get(f"/v1/presentation-requests/{created['id']}/qr.png", headers=headers)
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    svg = client.get(f"/v1/presentation-requests/{created['id']}/qr.svg", headers=headers)
    assert svg.status_code == 200 and b"<svg" in svg.content


def test_asking_for_more_than_registered_is_refused(client: TestClient, bank, session: Session) -> None:  # type: ignore[no-untyped-def]
    _, headers = bank
    before = session.exec(select(func.count()).select_from(PresentationRequest)).one()
    r = client.post("/v1/presentation-requests", json={"dcql_query": dcql(["name", "resident_registration_number"]), "purpose": "x"}, headers=headers)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    unregistered = {"credentials": [{"id": "licence", "format": "dc+sd-jwt", "meta": {"vct_values": [vct("mobile_driver_licence")]}, "claims": [{"path": ["name"]}]}]}
    assert client.post("/v1/presentation-requests", json={"dcql_query": unregistered, "purpose": "x"}, headers=headers).status_code == 403
    everything = {"credentials": [{"id": "abstract", "format": "dc+sd-jwt", "meta": {"vct_values": [vct(TYPE)]}}]}
    assert client.post("/v1/presentation-requests", json={"dcql_query": everything, "purpose": "x"}, headers=headers).status_code == 403
    assert session.exec(select(func.count()).select_from(PresentationRequest)).one() == before


def test_bad_dcql_and_missing_auth(client: TestClient, bank) -> None:  # type: ignore[no-untyped-def]
    _, headers = bank
    r = client.post("/v1/presentation-requests", json={"dcql_query": {"credentials": [{"id": "x", "format": "jwt_vc_json"}]}, "purpose": "x"}, headers=headers)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert client.post("/v1/presentation-requests", json={"dcql_query": dcql(["name"]), "purpose": "x"}).status_code == 401
    assert client.post("/v1/presentation-requests", json={"dcql_query": dcql(["name"]), "purpose": "x"},
                       headers={"Authorization": "Bearer ecrp_wrong"}).status_code == 401


# --- POST /v1/verify ------------------------------------------------------------------------


def test_verify_endpoint_valid_then_replayed(client: TestClient, bank, holder: Signer, credential: Any, state: AppState, session: Session) -> None:  # type: ignore[no-untyped-def]
    client_id, headers = bank
    presentation = direct(holder, credential.credential, ["name", "current_address", "resident_registration_number"],
                          nonce="bank-nonce-1", aud=client_id, iat=state.clock.epoch())
    body = {"presentation": presentation, "nonce": "bank-nonce-1", "audience": client_id}
    r = client.post("/v1/verify", json=body, headers=headers)
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["valid"] is True and result["code"] is None
    # disclosed, but the bank is not registered for it: withheld
    assert set(result["claims"]) == {"name", "current_address"}
    assert "resident_registration_number" in result["withheld_claims"]
    assert [c["id"] for c in result["checks"]][-1] == "replay"
    assert all(set(check) == {"id", "passed", "code", "skipped"} for check in result["checks"])
    again = client.post("/v1/verify", json=body, headers=headers).json()
    assert (again["valid"], again["code"], again["claims"]) == (False, "replayed", {})
    assert session.exec(select(func.count()).select_from(UsedNonce)).one() == 1


def test_one_verification_parses_once_and_verifies_each_signature_once(  # type: ignore[no-untyped-def]
    client: TestClient, bank, holder: Signer, credential: Any, state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The named checks are the only verifier: the presentation is split and its issuer JWT
    parsed once, the issuer signature and the KB-JWT signature are each verified once."""
    import keys.jws
    import verifiers.sd_jwt_verifier as steps

    calls: dict[str, int] = {"split": 0, "parse_compact": 0}
    signed: list[bytes] = []

    def counted(name: str, real: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return real(*args, **kwargs)
        return wrapper

    real_verify = keys.jws.VerificationKey.verify

    def verify(key: Any, signing_input: bytes, signature: bytes) -> None:
        signed.append(signing_input)
        real_verify(key, signing_input, signature)

    monkeypatch.setattr(steps, "split_sd_jwt", counted("split", steps.split_sd_jwt))
    monkeypatch.setattr(steps, "parse_compact", counted("parse_compact", steps.parse_compact))
    monkeypatch.setattr(keys.jws.VerificationKey, "verify", verify)
    client_id, headers = bank
    presentation = direct(holder, credential.credential, ["name"], nonce="n-count", aud=client_id, iat=state.clock.epoch())
    answer = client.post("/v1/verify", json={"presentation": presentation, "nonce": "n-count", "audience": client_id},
                         headers=headers).json()
    assert answer["valid"] is True, answer
    # one split; parse_compact for the issuer JWT and for the KB-JWT
    assert calls == {"split": 1, "parse_compact": 2}
    issuer_input = presentation.split("~", 1)[0].rsplit(".", 1)[0].encode()
    kb_input = presentation.rsplit("~", 1)[1].rsplit(".", 1)[0].encode()
    # each signature once (the status list token, fetched for the status check, is the other one)
    assert signed.count(issuer_input) == 1 and signed.count(kb_input) == 1
    assert len(signed) == len(set(signed))


@pytest.mark.parametrize("action, code", [("revoke", "revoked"), ("suspend", "suspended")])
def test_verify_endpoint_revoked_and_suspended(client: TestClient, bank, holder: Signer, credential: Any, state: AppState,  # type: ignore[no-untyped-def]
                                               session: Session, action: str, code: str) -> None:
    client_id, headers = bank
    change_status(session, record_id=credential.record_id, agency_id=state.registry.get(TYPE).agency.id, action=action, now=state.clock.now())
    presentation = direct(holder, credential.credential, ["name"], nonce="n", aud=client_id, iat=state.clock.epoch())
    result = client.post("/v1/verify", json={"presentation": presentation, "nonce": "n", "audience": client_id}, headers=headers).json()
    assert (result["valid"], result["code"], result["status"]) == (False, code, code)
    assert session.exec(select(func.count()).select_from(UsedNonce)).one() == 0


def test_verify_endpoint_judges_garbage_and_refuses_bad_bodies(client: TestClient, bank) -> None:  # type: ignore[no-untyped-def]
    _, headers = bank
    r = client.post("/v1/verify", json={"presentation": "garbage~", "nonce": "n"}, headers=headers)
    assert r.status_code == 200 and (r.json()["valid"], r.json()["code"]) == (False, "malformed")
    for bad in ({}, {"presentation": 5}, {"presentation": "x~", "extra": 1}, {"presentation": "x~"}):
        r = client.post("/v1/verify", json=bad, headers=headers)
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", (bad, r.text)
    assert client.post("/v1/verify", content=b"{not json", headers={**headers, "content-type": "application/json"}).status_code == 422
    assert client.post("/v1/verify", json={"presentation": "x~", "nonce": "n", "audience": "a"}).status_code == 401


# --- the CLI contract -----------------------------------------------------------------------


def test_rp_add_cli_prints_client_id_and_api_key(client: TestClient, settings) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from wallet_api.cli.verifier import rp_app

    env = {
        "ECERT_DATA_DIR": str(settings.data_dir),
        "ECERT_DATABASE_URL": settings.resolved_database_url,
        "ECERT_PUBLIC_URL": settings.public_url,
        "ECERT_KEY_PASSPHRASE": settings.key_passphrase.get_secret_value(),
        "ECERT_STORAGE_KEY": settings.storage_key.get_secret_value(),
    }
    result = CliRunner().invoke(rp_app, ["add", "--name", "민원24 창구", "--allow", f"{TYPE}:name,current_address",
                                         "--allow", "health_insurance_eligibility:history.workplace_name,history.acquisition_date", "--json"], env=env)
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["client_id"].startswith("x509_hash:") and out["api_key"].startswith("ecrp_")
    headers = {"Authorization": f"Bearer {out['api_key']}"}
    assert client.post("/v1/presentation-requests", json={"dcql_query": dcql(["name"]), "purpose": "민원"}, headers=headers).status_code == 201
    bad = CliRunner().invoke(rp_app, ["add", "--name", "x", "--allow", f"{TYPE}:no_such_claim", "--json"], env=env)
    assert bad.exit_code == 2


def test_a_revocation_is_seen_by_the_next_verification_with_the_list_cached(  # type: ignore[no-untyped-def]
    client: TestClient, bank, holder: Signer, credential: Any, state: AppState
) -> None:
    """Our own issuer's status is read from the database (the authority), not from the
    status list the verifier cached a moment ago; the answer says when it was read."""
    from issuers.operators import add_operator

    client_id, headers = bank

    def verify(nonce: str) -> dict[str, Any]:
        presentation = direct(holder, credential.credential, ["name"], nonce=nonce, aud=client_id, iat=state.clock.epoch())
        return client.post("/v1/verify", json={"presentation": presentation, "nonce": nonce, "audience": client_id},
                           headers=headers).json()

    # the list, fetched and cached for ECERT_STATUS_CACHE_S, says valid
    state.verifier.status_checker.refresh(credential.status_uri)
    first = verify("fresh-1")
    assert first["valid"] is True and first["status"] == "valid"
    assert first["status_checked_at"] == state.clock.epoch()
    with Session(state.engine) as session:
        operator = add_operator(session, name="MOIS desk", agency_id="mois", now=state.clock.now())
    revoked = client.post(f"/v1/admin/credentials/{credential.record_id}/revoke",
                          headers={"Authorization": f"Bearer {operator.api_key}"}, json={"reason": "fraud"})
    assert revoked.status_code == 200
    second = verify("fresh-2")
    assert (second["valid"], second["code"], second["status"]) == (False, "revoked", "revoked")
    assert second["status_checked_at"] == state.clock.epoch()
