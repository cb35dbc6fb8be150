"""Issue 16, parties and keys: relying parties and operators listed, deactivated and re-keyed
from the CLI and over HTTP (administrator key); a dead key stops on every worker within a
second; a deactivated party's console sessions end."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import typer
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from issuers.audit_trail import AuditEntry
from issuers.operators import add_operator
from tests.console_helpers import sign_in
from tests.wallet_app import register_bank
from wallet_api.app import create_app
from wallet_api.console.sessions import ConsoleSession
from wallet_api.auth.relying_parties import RelyingPartyCache
from tests.admin_cli import run_admin


BAD_PRESENTATION = {"presentation": "garbage~", "nonce": "n", "audience": "a"}


class Ticks:
    """A monotonic clock the test moves: no sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def run(cli: typer.Typer, *args: str) -> object:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if "--json" in args else result.stdout


def _authenticated(response) -> bool:  # type: ignore[no-untyped-def]
    # a garbage presentation from a known party is refused as input, an unknown key as 401
    assert response.status_code != 500
    return response.status_code != 401


@pytest.fixture
def second_worker(settings) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """Another app on the same database: a second worker with its own party cache."""
    with TestClient(create_app(settings), base_url="https://ecert.test") as other:
        yield other


def test_rp_cli_list_show_rotate_deactivate(cli: typer.Typer, client: TestClient) -> None:
    api_key, client_id = register_bank(client)
    listed = run(cli, "rp", "list", "--json")
    assert [p["client_id"] for p in listed] == [client_id] and listed[0]["active"] is True  # type: ignore[index]
    shown = run(cli, "rp", "show", client_id, "--json")
    assert shown["name"] == "KB Kookmin Bank" and "api_key_sha256" not in shown  # type: ignore[index]

    ticks = Ticks()
    client.app.state.ecert.relying_parties = RelyingPartyCache(monotonic=ticks)  # type: ignore[attr-defined]
    assert _authenticated(client.post("/v1/verify", json=BAD_PRESENTATION, headers={"Authorization": f"Bearer {api_key}"}))
    rotated = run(cli, "rp", "rotate-key", client_id, "--json")
    assert set(rotated) == {"client_id", "api_key"} and rotated["client_id"] == client_id  # type: ignore[index]
    new_key = rotated["api_key"]  # type: ignore[index]
    # the CLI is another process: the cached old key is dropped at this worker's next version check
    ticks.now += 1.0
    assert not _authenticated(client.post("/v1/verify", json=BAD_PRESENTATION, headers={"Authorization": f"Bearer {api_key}"}))
    assert _authenticated(client.post("/v1/verify", json=BAD_PRESENTATION, headers={"Authorization": f"Bearer {new_key}"}))

    assert run(cli, "rp", "deactivate", client_id, "--json") == {"client_id": client_id, "active": False}
    assert run(cli, "rp", "show", client_id, "--json")["active"] is False  # type: ignore[index]
    ticks.now += 1.0
    assert not _authenticated(client.post("/v1/verify", json=BAD_PRESENTATION, headers={"Authorization": f"Bearer {new_key}"}))
    again = CliRunner().invoke(cli, ["rp", "rotate-key", client_id])
    assert again.exit_code == 1 and "conflict" in again.output
    unknown = CliRunner().invoke(cli, ["rp", "show", "x509_hash:nope"])
    assert unknown.exit_code == 1 and "not_found" in unknown.output


def test_rotation_reaches_every_worker_within_one_second(client: TestClient, second_worker: TestClient) -> None:
    api_key, client_id = register_bank(client)
    ticks = Ticks()
    second_worker.app.state.ecert.relying_parties = RelyingPartyCache(monotonic=ticks)  # type: ignore[attr-defined]
    old = {"Authorization": f"Bearer {api_key}"}
    assert _authenticated(second_worker.post("/v1/verify", json=BAD_PRESENTATION, headers=old))  # cached there now

    admin = run_admin(client)
    rotated = client.post(f"/v1/admin/relying-parties/{client_id}/rotate-key", headers=admin)
    assert rotated.status_code == 200, rotated.text
    assert not _authenticated(client.post("/v1/verify", json=BAD_PRESENTATION, headers=old))

    ticks.now += 1.0  # one second later, the second worker has re-read the registry version
    assert not _authenticated(second_worker.post("/v1/verify", json=BAD_PRESENTATION, headers=old))
    new = {"Authorization": f"Bearer {rotated.json()['api_key']}"}
    assert _authenticated(second_worker.post("/v1/verify", json=BAD_PRESENTATION, headers=new))

    ticks.now += 1.0
    assert client.post(f"/v1/admin/relying-parties/{client_id}/deactivate", headers=admin).json()["active"] is False
    ticks.now += 1.0
    assert not _authenticated(second_worker.post("/v1/verify", json=BAD_PRESENTATION, headers=new))


def test_admin_routes_for_relying_parties_and_operators(client: TestClient) -> None:
    _, client_id = register_bank(client)
    state = client.app.state.ecert  # type: ignore[attr-defined]
    with Session(state.engine) as session:
        mois = add_operator(session, name="MOIS desk", agency_id="mois", now=state.clock.now())
    admin = run_admin(client)

    # operators' and relying parties' keys are not administrator keys
    assert client.get("/v1/admin/relying-parties", headers={"Authorization": f"Bearer {mois.api_key}"}).status_code == 401
    assert client.get("/v1/admin/relying-parties").status_code == 401

    parties = client.get("/v1/admin/relying-parties", headers=admin).json()
    assert [p["client_id"] for p in parties] == [client_id]
    assert client.get(f"/v1/admin/relying-parties/{client_id}", headers=admin).json()["active"] is True
    missing = client.post("/v1/admin/relying-parties/x509_hash:nope/deactivate", headers=admin)
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"

    operators = client.get("/v1/admin/operators", headers=admin).json()
    assert [o["id"] for o in operators] == [mois.operator.id] and "api_key_hash" not in operators[0]
    op_auth = {"Authorization": f"Bearer {mois.api_key}"}
    assert client.get("/v1/admin/credentials", headers=op_auth).status_code == 200
    rotated = client.post(f"/v1/admin/operators/{mois.operator.id}/rotate-key", headers=admin).json()
    assert rotated["operator_id"] == mois.operator.id and rotated["api_key"].startswith("eop_")
    assert client.get("/v1/admin/credentials", headers=op_auth).status_code == 401  # old key: at once
    new_auth = {"Authorization": f"Bearer {rotated['api_key']}"}
    assert client.get("/v1/admin/credentials", headers=new_auth).status_code == 200
    assert client.post(f"/v1/admin/operators/{mois.operator.id}/deactivate", headers=admin).json()["active"] is False
    assert client.get("/v1/admin/credentials", headers=new_auth).status_code == 401
    assert client.get(f"/v1/admin/operators/{mois.operator.id}", headers=admin).json()["active"] is False

    with Session(state.engine) as session:
        actions = [(e.actor.split(":")[0], e.action) for e in session.exec(select(AuditEntry).order_by(AuditEntry.seq))]
    assert ("admin", "operator.rotate_key") in actions and ("admin", "operator.deactivate") in actions


def test_operator_cli_list_show_rotate_deactivate(cli: typer.Typer, client: TestClient) -> None:
    added = run(cli, "operator", "add", "--name", "NTS desk", "--agency", "nts", "--json")
    operator_id, key = added["operator_id"], added["api_key"]  # type: ignore[index]
    listed = run(cli, "operator", "list", "--json")
    assert [(o["id"], o["active"]) for o in listed] == [(operator_id, True)]  # type: ignore[index]
    assert run(cli, "operator", "show", operator_id, "--json")["agency_id"] == "nts"  # type: ignore[index]
    rotated = run(cli, "operator", "rotate-key", operator_id, "--json")
    assert rotated["operator_id"] == operator_id and rotated["api_key"] != key  # type: ignore[index]
    assert client.get("/v1/admin/credentials", headers={"Authorization": f"Bearer {key}"}).status_code == 401
    fresh = {"Authorization": f"Bearer {rotated['api_key']}"}  # type: ignore[index]
    assert client.get("/v1/admin/credentials", headers=fresh).status_code == 200
    run(cli, "operator", "deactivate", operator_id, "--json")
    assert client.get("/v1/admin/credentials", headers=fresh).status_code == 401


def test_admin_add_cli_key_works_over_http(cli: typer.Typer, client: TestClient) -> None:
    created = run(cli, "admin", "add", "--name", "night shift", "--json")
    assert created["api_key"].startswith("eadm_")  # type: ignore[index]
    listed = client.get("/v1/admin/operators", headers={"Authorization": f"Bearer {created['api_key']}"})  # type: ignore[index]
    assert listed.status_code == 200 and listed.json() == []


def test_deactivation_ends_console_sessions(client: TestClient) -> None:
    api_key, client_id = register_bank(client)
    sign_in(client, api_key)
    assert client.get("/console/bank", follow_redirects=False).status_code == 200
    state = client.app.state.ecert  # type: ignore[attr-defined]
    with Session(state.engine) as session:
        assert len(session.exec(select(ConsoleSession)).all()) == 1
    admin = run_admin(client)
    assert client.post(f"/v1/admin/relying-parties/{client_id}/deactivate", headers=admin).status_code == 200
    with Session(state.engine) as session:
        assert session.exec(select(ConsoleSession)).all() == []
    assert client.get("/console/bank", follow_redirects=False).status_code == 303
