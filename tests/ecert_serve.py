"""The real `ecert serve` in a subprocess, for tests that need what only it does (the server
record, several workers): started on a free port, waited for, stopped."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from benchmarks.server import free_port

ECERT = str(Path(sys.executable).with_name("ecert"))
START_TIMEOUT_S = 60


@contextmanager
def ecert_serve(cwd: Path, env: dict[str, str], *args: str) -> Iterator[str]:
    """Yields the base URL once /healthz answers."""
    port = free_port()
    process = subprocess.Popen([ECERT, "serve", "--port", str(port), *args], cwd=cwd, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, "ecert serve did not start"
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
