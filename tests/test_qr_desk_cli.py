"""``ecert scan IMAGE``: the same verdict from a QR image file, without consuming the QR."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.qr_desk import LICENCE, _finish, _party, _signed_in, _verify

from wallet_api.cli.qr import scan
from tests.fixed_keys import TEST_KEY_PASSPHRASE


def test_scan_prints_the_verdict(app_client: TestClient, settings, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    client = app_client
    app, phone = _signed_in(client)
    credential = app.obtain(LICENCE, phone)
    r = client.post(f"/v1/wallet/credentials/{credential['id']}/qr", json={"profile": "adult_check"}, headers=app.auth)
    finished = _finish(app, phone, r.json())
    image = tmp_path / "snap.png"
    image.write_bytes(base64.b64decode(finished["png_base64"]))
    for name, value in {"ECERT_DATA_DIR": str(settings.data_dir), "ECERT_DATABASE_URL": settings.database_url,
                        "ECERT_PUBLIC_URL": settings.public_url, "ECERT_KEY_PASSPHRASE": TEST_KEY_PASSPHRASE,
                        "ECERT_STORAGE_KEY": settings.storage_key.get_secret_value()}.items():
        monkeypatch.setenv(name, value)
    command = typer.Typer()
    command.command()(scan)
    result = CliRunner().invoke(command, [str(image), "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["valid"] is True and answer["claims"] == {"age_over_19": True, "portrait_sha256": answer["claims"]["portrait_sha256"]}
    offline = CliRunner().invoke(command, [str(image), "--offline"])
    assert offline.exit_code in (0, 1) and "offline=True" in offline.output
    # looking is not passing: the desk can still accept it once
    venue = _party(client, "편의점", {LICENCE: ["age_over_19", "portrait_sha256"]})
    assert _verify(client, venue, finished["text"])["valid"] is True
