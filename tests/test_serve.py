"""`ecert serve` with no configuration: a real uvicorn process on a SQLite file, real HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from schemas.registry import load_registry


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_ecert_serve_zero_configuration(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECERT_")}
    ecert = Path(sys.executable).with_name("ecert")
    process = subprocess.Popen(
        [str(ecert), "serve", "--port", str(port)], cwd=tmp_path, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        issuer = httpx.get(f"{base}/.well-known/jwt-vc-issuer").json()
        assert issuer["issuer"] == f"http://127.0.0.1:{port}"
        assert len(issuer["jwks"]["keys"]) == 1
        assert len(httpx.get(f"{base}/v1/types").json()["types"]) == len(load_registry())
        assert (tmp_path / "data" / "ecert.db").exists()
        passphrase = tmp_path / "data" / "key-passphrase"
        assert oct(passphrase.stat().st_mode & 0o777) == "0o600"
        # everything at rest is the owner's only: the directory, the database and its WAL files
        assert oct((tmp_path / "data").stat().st_mode & 0o777) == "0o700"
        for name in ("ecert.db", "ecert.db-wal", "ecert.db-shm"):
            assert oct((tmp_path / "data" / name).stat().st_mode & 0o777) == "0o600", name
    finally:
        process.terminate()
        process.wait(timeout=20)

    # the same data dir again: the key survives a restart, keys list shows it
    listed = subprocess.run([str(ecert), "keys", "list", "--json"], cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert issuer["jwks"]["keys"][0]["kid"] in listed.stdout
    rotated = subprocess.run([str(ecert), "keys", "rotate"], cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert "new active key" in rotated.stdout
    listed = subprocess.run([str(ecert), "keys", "list", "--json"], cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert '"published"' in listed.stdout and '"active"' in listed.stdout


def test_wallet_purge_expired_command(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECERT_")} | {"ECERT_DATA_DIR": str(tmp_path / "data")}
    ecert = Path(sys.executable).with_name("ecert")
    done = subprocess.run([str(ecert), "wallet", "purge-expired"], cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert done.stdout.startswith("purged 0 ")
