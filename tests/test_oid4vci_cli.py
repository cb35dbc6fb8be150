"""``ecert people`` and ``ecert offer``: the offer printed by the CLI is redeemable by a wallet."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from wallet_api.cli.issuing import offer, people

PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


@pytest.fixture
def cli(client: TestClient, settings, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:  # type: ignore[no-untyped-def]
    # the same ECERT_* settings as the server under test, as an operator's shell would have
    monkeypatch.setenv("ECERT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ECERT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ECERT_PUBLIC_URL", settings.public_url)
    monkeypatch.setenv("ECERT_KEY_PASSPHRASE", settings.key_passphrase.get_secret_value())
    monkeypatch.setenv("ECERT_STORAGE_KEY", settings.storage_key.get_secret_value())
    app = typer.Typer()
    app.command("people")(people)
    app.command("offer")(offer)
    return app


def test_people_then_offer_then_token(cli: typer.Typer, client: TestClient, tmp_path: Path) -> None:
    runner = CliRunner()
    listed = runner.invoke(cli, ["people", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert len(rows) == 1000 and {"id", "name", "type_ids"} <= set(rows[0])
    person = next(r for r in rows if "driving_record" in r["type_ids"])
    assert all("customs_declaration" not in r["type_ids"] for r in rows)

    qr = tmp_path / "offer.png"
    made = runner.invoke(cli, ["offer", "--type", "driving_record", "--person", person["id"], "--tx-code", "--qr", str(qr), "--json"])
    assert made.exit_code == 0, made.output
    printed = json.loads(made.stdout)
    assert printed["offer_uri"].startswith("openid-credential-offer://?credential_offer=")
    assert len(printed["tx_code"]) == 6 and qr.read_bytes().startswith(b"\x89PNG")

    offer_json = json.loads(parse_qs(urlparse(printed["offer_uri"]).query)["credential_offer"][0])
    code = offer_json["grants"][PRE_AUTH]["pre-authorized_code"]
    token = client.post("/token", data={"grant_type": PRE_AUTH, "pre-authorized_code": code, "tx_code": printed["tx_code"]})
    assert token.status_code == 200, token.text


def test_offer_for_a_type_without_record_fails_cleanly(cli: typer.Typer) -> None:
    runner = CliRunner()
    rows = json.loads(runner.invoke(cli, ["people", "--json"]).stdout)
    person = next(r for r in rows if "driving_record" not in r["type_ids"])
    result = runner.invoke(cli, ["offer", "--type", "driving_record", "--person", person["id"], "--json"])
    assert result.exit_code == 1 and "no_record" in result.output
