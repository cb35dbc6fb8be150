"""The real server in a subprocess and headless Debian Chromium driven by Playwright.

Skips, saying why, when Playwright or /usr/bin/chromium is missing (CI installs both).
The browser is told not to reach any network but the test server's: a page that asked for
a third-party asset would fail to render it, and ``external_requests`` records any attempt.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.fixed_keys import TEST_STORAGE_KEY

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "tests" / "output" / "screenshots"
START_TIMEOUT_S = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ConsoleServer:
    base_url: str
    database_url: str
    env: dict[str, str]
    log: Path
    settings_env: dict[str, str] = field(default_factory=dict)

    def settings(self):  # type: ignore[no-untyped-def]
        from wallet_api.settings import Settings

        return Settings(**{k.removeprefix("ECERT_").lower(): v for k, v in self.settings_env.items()})


def _prepare_database(settings_env: dict[str, str]) -> None:
    """Migrate, then create any table a migration does not have yet (the console's sessions)."""
    from sqlmodel import SQLModel

    from wallet_api.db.engines import make_engine, run_migrations
    from wallet_api.db.tables import import_all_tables

    import_all_tables()
    engine = make_engine(settings_env["ECERT_DATABASE_URL"])
    run_migrations(engine)
    SQLModel.metadata.create_all(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def console_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed (pip install playwright)")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    data = tmp_path_factory.mktemp("console-server")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    settings_env = {
        "ECERT_DATA_DIR": str(data),
        "ECERT_DATABASE_URL": f"sqlite:///{data / 'ecert.db'}",
        # wallets insist on https response_uris; the server reaches its own URLs in-process,
        # so the public name need not resolve: the browser talks to base_url
        "ECERT_PUBLIC_URL": "https://ecert.test",
        # plain http on 127.0.0.1 in this test only: a Secure cookie would need https here
        "ECERT_CONSOLE_COOKIE_SECURE": "false",
        "ECERT_KEY_PASSPHRASE": "browser-test-passphrase",
        "ECERT_STORAGE_KEY": TEST_STORAGE_KEY,
        # the verifier re-reads status lists every time: a revocation shows at once
        "ECERT_STATUS_CACHE_S": "0",
        "ECERT_POPULATION_SIZE": "300",
    }
    _prepare_database(settings_env)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECERT_")} | settings_env
    log = data / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "wallet_api.main:app", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited: {log.read_text()[-3000:]}")
            try:
                if httpx.get(base_url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not start in {START_TIMEOUT_S}s: {log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield ConsoleServer(base_url, settings_env["ECERT_DATABASE_URL"], env, log, settings_env)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


# module scope: sync_playwright keeps an event loop running in this thread until it stops,
# which would break later tests that call asyncio.run
@pytest.fixture(scope="module")
def chromium(console_server: ConsoleServer) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Desk:
    """A browser tab at a counter, with every request it makes recorded."""

    page: object
    external_requests: list[str]


#: a tablet at a counter in landscape, and the smallest phone the console supports
TABLET = {"width": 1180, "height": 820}
PHONE = {"width": 375, "height": 812}


@pytest.fixture
def desk(chromium, console_server: ConsoleServer) -> Iterator[Desk]:  # type: ignore[no-untyped-def]
    yield from _browser_tab(chromium, console_server, TABLET)


@pytest.fixture
def phone_desk(chromium, console_server: ConsoleServer) -> Iterator[Desk]:  # type: ignore[no-untyped-def]
    yield from _browser_tab(chromium, console_server, PHONE)


def _browser_tab(chromium, console_server: ConsoleServer, viewport: dict[str, int]) -> Iterator[Desk]:  # type: ignore[no-untyped-def]
    context = chromium.new_context(viewport=viewport, locale="ko-KR", device_scale_factor=1)
    external: list[str] = []

    def route(request_route) -> None:  # type: ignore[no-untyped-def]
        url = request_route.request.url
        if url.startswith(console_server.base_url) or url.startswith(("data:", "blob:")):
            request_route.continue_()
        else:
            external.append(url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    try:
        yield Desk(page, external)
    finally:
        context.close()


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
