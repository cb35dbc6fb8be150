"""Start the real server (or the benchmark harness around it) in a subprocess on loopback,
and run the load driver in another: the server's CPU is not shared with the timing loop."""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from benchmarks.load import LoadSpec

REPO = Path(__file__).resolve().parent.parent
#: fixed test secrets: benchmark data is throw-away
KEY_PASSPHRASE = "bench-passphrase"
STORAGE_KEY = base64.urlsafe_b64encode(b"bench-storage-key-32-bytes-long!").decode().rstrip("=")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class ServerConfig:
    database_url: str
    data_dir: Path
    port: int

    @property
    def public_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return {
            "ECERT_DATABASE_URL": self.database_url,
            "ECERT_DATA_DIR": str(self.data_dir),
            "ECERT_PUBLIC_URL": self.public_url,
            "ECERT_KEY_PASSPHRASE": KEY_PASSPHRASE,
            "ECERT_STORAGE_KEY": STORAGE_KEY,
            # the load driver is one address making thousands of anonymous calls a minute
            "ECERT_RATE_LIMIT_ANONYMOUS_PER_MINUTE": "0",
        }

    def settings(self):  # type: ignore[no-untyped-def]
        from wallet_api.settings import Settings

        return Settings(
            data_dir=self.data_dir,
            database_url=self.database_url,
            public_url=self.public_url,
            key_passphrase=KEY_PASSPHRASE,
            storage_key=STORAGE_KEY,
            rate_limit_anonymous_per_minute=0,
        )


def new_config(database_url: str | None, workdir: Path) -> ServerConfig:
    data_dir = workdir / "data"
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    return ServerConfig(database_url or f"sqlite:///{data_dir / 'bench.db'}", data_dir, free_port())


def reset_postgres(database_url: str) -> None:
    """Empty the benchmark database: every run starts from the same state."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@contextmanager
def running_server(
    config: ServerConfig, *, app: str = "wallet_api.main:app", factory: bool = False, workers: int = 1,
    extra_env: dict[str, str] | None = None, ready_path: str = "/healthz", timeout_s: float = 60.0,
) -> Iterator[subprocess.Popen[bytes]]:
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(config.port),
               "--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    if factory:
        command.append("--factory")
    log = tempfile.NamedTemporaryFile(prefix="ecert-bench-server-", suffix=".log", delete=False)
    process = subprocess.Popen(
        command, cwd=REPO, env={**os.environ, **config.env(), **(extra_env or {})},
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}: {Path(log.name).read_text()[-2000:]}")
            try:
                if httpx.get(config.public_url + ready_path, timeout=1.0).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not ready in {timeout_s}s: {Path(log.name).read_text()[-2000:]}")
            time.sleep(0.2)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()
        os.unlink(log.name)


def write_requests(path: Path, items: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(item) + "\n" for item in items))
    return path


def drive(spec: LoadSpec, workdir: Path) -> dict[str, Any]:
    """Run the load driver in its own process and return its report."""
    spec_path = workdir / f"load-{time.monotonic_ns()}.json"
    spec_path.write_text(json.dumps(spec.__dict__))
    out = subprocess.run([sys.executable, "-m", "benchmarks.load", str(spec_path)], cwd=REPO, capture_output=True,
                         text=True, timeout=spec.max_seconds + 120)
    if out.returncode != 0:
        raise RuntimeError(f"load driver failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])
