"""The CLI finds its server: `ecert serve` records where it runs, other commands use it from any
directory, and nothing silently creates a second data directory. Usage errors are one line."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import httpx

from tests.ecert_serve import ECERT, ecert_serve
import pytest



def _env(state_home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECERT_")}
    return env | {"XDG_STATE_HOME": str(state_home)} | extra


def _ecert(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ECERT, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def _one_line_refusal(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "╭" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("ecert: "), done.stderr
    return lines[0]


def test_commands_elsewhere_use_the_served_data_and_url(tmp_path: Path) -> None:
    server_dir, elsewhere, state = tmp_path / "server", tmp_path / "elsewhere", tmp_path / "state"
    server_dir.mkdir()
    elsewhere.mkdir()
    env = _env(state)
    with ecert_serve(server_dir, env) as base:
        served_kid = httpx.get(f"{base}/.well-known/jwt-vc-issuer").json()["jwks"]["keys"][0]["kid"]

        record = state / "ecert" / "server.json"
        assert oct(record.stat().st_mode & 0o777) == "0o600"
        assert json.loads(record.read_text())["data_dir"] == str((server_dir / "data").resolve())

        offer = _ecert("offer", "--type", "resident_registration_abstract", "--person", "P0001", "--json",
                       cwd=elsewhere, env=env)
        assert offer.returncode == 0, offer.stderr
        # the offer names the server that runs, not the default port
        port = base.rsplit(":", 1)[1]
        assert f"127.0.0.1%3A{port}" in json.loads(offer.stdout)["offer_uri"]
        listed = _ecert("keys", "list", "--json", cwd=elsewhere, env=env)
        assert [key["kid"] for key in json.loads(listed.stdout)] == [served_kid]
        assert not (elsewhere / "data").exists()

    # --data-dir points anywhere explicitly, also without a record
    listed = _ecert("--data-dir", str(server_dir / "data"), "keys", "list", "--json", cwd=elsewhere,
                    env=_env(tmp_path / "no-record"))
    assert [key["kid"] for key in json.loads(listed.stdout)] == [served_kid]


def test_nothing_configured_refuses_instead_of_creating_data(tmp_path: Path) -> None:
    line = _one_line_refusal(_ecert("people", cwd=tmp_path, env=_env(tmp_path / "state")))
    assert str(tmp_path / "data") in line and "--data-dir" in line and "ecert serve" in line
    assert not (tmp_path / "data").exists()


def test_a_recorded_directory_that_is_gone_is_named(tmp_path: Path) -> None:
    state = tmp_path / "state"
    (state / "ecert").mkdir(parents=True)
    (state / "ecert" / "server.json").write_text(json.dumps(
        {"data_dir": str(tmp_path / "moved"), "public_url": "http://127.0.0.1:8000", "database_url": None}))
    line = _one_line_refusal(_ecert("keys", "list", cwd=tmp_path, env=_env(state)))
    assert str(tmp_path / "moved") in line
    (state / "ecert" / "server.json").write_text("not json")
    assert "not a server record" in _one_line_refusal(_ecert("keys", "list", cwd=tmp_path, env=_env(state)))


@pytest.mark.parametrize(
    ("args", "extra", "expected"),
    [
        (["keys", "rotate", "--alg", "RS256"], {}, "--alg RS256 is not offered"),
        (["people"], {"ECERT_ENVIRONMENT": "production"}, "ECERT_KEY_PASSPHRASE"),
        (["people"], {"ECERT_STATUS_LIST_SIZE": "many"}, "ECERT_STATUS_LIST_SIZE"),
    ],
)
def test_usage_errors_are_one_line(tmp_path: Path, args: list[str], extra: dict[str, str], expected: str) -> None:
    env = _env(tmp_path / "state", ECERT_DATA_DIR=str(tmp_path / "data"), **extra)
    assert expected in _one_line_refusal(_ecert(*args, cwd=tmp_path, env=env))
