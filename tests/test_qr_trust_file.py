"""``ecert trust export`` + ``ecert scan --offline --trust``: verifying with nothing but the file.

The file is exported while the service's database is there; the scans then run with the
database URL pointing at nothing and an empty data directory (the server is as good as
stopped): a customs QR and a mobile-ID QR (status list included) still verify.
"""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.qr_desk import LICENCE, _declaration, _finish, _signed_in, _submit
from wallet_api.clock import FixedClock
from verifiers.qr.trust_file import TrustFileInvalid, load_trust_file
from wallet_api.cli.main import app as cli
from tests.fixed_keys import TEST_KEY_PASSPHRASE


def _env(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    for name, value in {"ECERT_DATA_DIR": str(settings.data_dir), "ECERT_DATABASE_URL": settings.database_url,
                        "ECERT_PUBLIC_URL": settings.public_url, "ECERT_KEY_PASSPHRASE": TEST_KEY_PASSPHRASE,
                        "ECERT_STORAGE_KEY": settings.storage_key.get_secret_value()}.items():
        monkeypatch.setenv(name, value)


def _png(tmp_path: Path, name: str, finished: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_bytes(base64.b64decode(finished["png_base64"]))
    return path


def test_export_then_scan_offline_with_only_the_file(app_client: TestClient, clock: FixedClock, settings: Any,
                                                     tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    client = app_client
    app, phone = _signed_in(client)
    customs_png = _png(tmp_path, "customs.png", _finish(app, phone, _submit(app, _declaration(clock))["presentation"]))
    credential = app.obtain(LICENCE, phone)

    _env(monkeypatch, settings)
    trust = tmp_path / "trust.json"
    exported = CliRunner().invoke(cli, ["trust", "export", "--out", str(trust)])
    assert exported.exit_code == 0, exported.output
    document = json.loads(trust.read_text(encoding="utf-8"))
    assert document["format"] == "ecert-qr-trust" and document["status_lists"]
    assert all("d" not in key["jwk"] for issuer in document["issuers"] for key in issuer["keys"])

    # the mobile-ID QR lives 30 s and the offline scan reads the system clock: made last, at "now"
    clock.advance(max(0, int(time.time()) - clock.epoch()))
    r = client.post(f"/v1/wallet/credentials/{credential['id']}/qr", json={"profile": "adult_check"}, headers=app.auth)
    mobile_png = _png(tmp_path, "mobile.png", _finish(app, phone, r.json()))

    # the server is gone: no database, an empty data directory
    monkeypatch.setenv("ECERT_DATABASE_URL", "postgresql://nobody@127.0.0.1:9/none")
    monkeypatch.setenv("ECERT_DATA_DIR", str(tmp_path / "empty"))
    for png, type_id in ((mobile_png, LICENCE), (customs_png, "customs_declaration")):
        result = CliRunner().invoke(cli, ["scan", str(png), "--offline", "--trust", str(trust), "--json"])
        assert result.exit_code == 0, result.output
        answer = json.loads(result.output)
        assert answer["valid"] is True and answer["offline"] is True and answer["type_id"] == type_id, answer
        if type_id == LICENCE:  # its status came from the file's list
            assert {c["id"]: c["skipped"] for c in answer["checks"]}["credential_status"] is False

    # a file that trusts nobody refuses the same QR by name
    empty = tmp_path / "nobody.json"
    empty.write_text(json.dumps({**document, "issuers": [], "status_lists": []}), encoding="utf-8")
    refused = json.loads(CliRunner().invoke(cli, ["scan", str(customs_png), "--offline", "--trust", str(empty),
                                                  "--json"]).output)
    assert refused["valid"] is False and refused["code"] == "issuer_untrusted"


def test_trust_file_with_a_private_key_or_other_data_is_refused() -> None:
    from verifiers.qr.trust_file import data_fingerprints

    good = {"format": "ecert-qr-trust", "version": 1, "exported_at": 0, **data_fingerprints(), "status_lists": [],
            "issuers": [{"iss": "kcs", "status_base_url": None, "keys": [{"jwk": {
                "kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "kid": "k1",
                "alg": "EdDSA"}}]}]}
    assert load_trust_file(json.dumps(good)).issuers["kcs"].keys[0].key.kid == "k1"
    private = json.loads(json.dumps(good))
    private["issuers"][0]["keys"][0]["jwk"]["d"] = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
    other_tables = {**good, "claim_key_tables": {"version": 1, "sha256": "0" * 64}}
    for document in (private, other_tables, {**good, "format": "x"}, {**good, "version": 2}):
        with pytest.raises(TrustFileInvalid):
            load_trust_file(json.dumps(document))
