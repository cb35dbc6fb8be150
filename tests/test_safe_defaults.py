"""Issue 12: weak secrets refused, production defaults (https, Secure cookie, no API docs),
files at rest readable by the owner only, and `ecert serve` refusing a network in development."""

from __future__ import annotations

import base64
import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from keys.sealing import Sealer
from wallet_api.app import create_app
from wallet_api.wiring.bootstrap import build_state
from wallet_api.console.deps import cookie_secure
from wallet_api.settings import Settings, SettingsError

from tests.console_helpers import login_token
from tests.wallet_app import ABSTRACT, register_bank
from tests.fixed_keys import TEST_KEY_PASSPHRASE, TEST_STORAGE_KEY

STRONG_PASSPHRASE = "correct horse battery staple, forty chars"


def production(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "production",
        "public_url": "https://ecert.test",
        "key_passphrase": STRONG_PASSPHRASE,
        "storage_key": TEST_STORAGE_KEY,
    }
    values.update(overrides)
    return Settings(**values)


def refusal(**overrides: Any) -> str:
    with pytest.raises(ValueError) as caught:
        production(**overrides) if overrides.get("environment", "production") == "production" else Settings(**overrides)
    return str(caught.value)


# --- weak secrets -------------------------------------------------------------------------
@pytest.mark.parametrize("environment", ["development", "production"])
@pytest.mark.parametrize("name", ["storage_key", "key_passphrase"])
@pytest.mark.parametrize("empty", ["", "   "])
def test_an_empty_secret_is_refused_in_every_environment(environment: str, name: str, empty: str) -> None:
    message = refusal(environment=environment, **{name: empty})
    assert f"ECERT_{name.upper()} is empty" in message


@pytest.mark.parametrize(
    "storage_key",
    ["x", "a" * 42, base64.urlsafe_b64encode(os.urandom(31)).decode().rstrip("="), "ab" * 31, "not base64 at all!" * 4],
)
def test_production_refuses_a_short_storage_key(storage_key: str) -> None:
    assert "ECERT_STORAGE_KEY must be at least 32 random bytes" in refusal(storage_key=storage_key)


@pytest.mark.parametrize(
    "storage_key",
    [
        TEST_STORAGE_KEY,  # the tests' key, base64url without padding: existing data stays sealed with it
        base64.urlsafe_b64encode(os.urandom(32)).decode(),  # padded
        base64.b64encode(b"\xfb\xff" * 16).decode(),  # standard alphabet
        os.urandom(32).hex(),
        os.urandom(48).hex().upper(),
    ],
)
def test_production_accepts_32_bytes_in_base64_or_hex(storage_key: str) -> None:
    assert production(storage_key=storage_key).storage_key.get_secret_value() == storage_key  # type: ignore[union-attr]


def test_the_check_does_not_change_how_the_key_seals() -> None:
    # the sealer still takes the configured text as key material: a value sealed before opens
    settings = production()
    sealed = Sealer(TEST_STORAGE_KEY).seal(b"before", aad=b"row")
    assert Sealer(settings.effective_storage_key).open(sealed, aad=b"row") == b"before"


@pytest.mark.parametrize("passphrase", ["x", "short-passphrase", "a" * 31])
def test_production_refuses_a_short_passphrase(passphrase: str) -> None:
    assert "ECERT_KEY_PASSPHRASE must be at least 32 characters" in refusal(key_passphrase=passphrase)


def test_development_keeps_accepting_the_test_secrets() -> None:
    settings = Settings(key_passphrase=TEST_KEY_PASSPHRASE, storage_key=TEST_STORAGE_KEY)
    assert settings.environment == "development"


def test_the_refusal_is_one_line_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECERT_ENVIRONMENT", "production")
    monkeypatch.setenv("ECERT_PUBLIC_URL", "https://ecert.test")
    monkeypatch.setenv("ECERT_KEY_PASSPHRASE", STRONG_PASSPHRASE)
    monkeypatch.setenv("ECERT_STORAGE_KEY", "")
    with pytest.raises(SettingsError) as caught:
        Settings.from_environment()
    message = str(caught.value)
    assert "\n" not in message and message.startswith("ECERT_STORAGE_KEY is empty")
    assert TEST_STORAGE_KEY not in message


def test_an_empty_generated_secret_file_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "storage-key").write_text("\n")
    with pytest.raises(SettingsError, match="storage-key is empty"):
        Settings(data_dir=data).effective_storage_key  # noqa: B018


# --- production defaults -------------------------------------------------------------------
def test_production_requires_an_https_public_url() -> None:
    assert "ECERT_PUBLIC_URL must be an https:// URL" in refusal(public_url="http://ecert.test")


def test_production_refuses_an_insecure_console_cookie() -> None:
    assert "ECERT_CONSOLE_COOKIE_SECURE cannot be false" in refusal(console_cookie_secure=False)


@pytest.fixture
def production_settings(settings: Settings) -> Settings:
    return production(data_dir=settings.data_dir, database_url=settings.database_url)


@pytest.fixture
def production_client(production_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(production_settings), base_url="https://ecert.test") as client:
        yield client


def test_production_serves_no_api_docs(production_client: TestClient) -> None:
    for path in ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"):
        assert production_client.get(path).status_code == 404, path
    assert production_client.get("/v1/types").status_code == 200


def test_api_docs_setting_turns_them_on_in_production(production_settings: Settings) -> None:
    with TestClient(create_app(production_settings.model_copy(update={"api_docs": True}))) as client:
        assert client.get("/openapi.json").status_code == 200
        assert client.get("/docs").status_code == 200


def test_development_serves_api_docs_and_can_turn_them_off(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        assert client.get("/openapi.json").status_code == 200 and client.get("/redoc").status_code == 200
    with TestClient(create_app(settings.model_copy(update={"api_docs": False}))) as client:
        assert client.get("/openapi.json").status_code == 404


def test_console_cookie_is_secure_in_production_whatever_else_says(production_settings: Settings) -> None:
    # a settings object that skipped validation (model_copy) still gets a Secure cookie
    unvalidated = production_settings.model_copy(update={"console_cookie_secure": False, "public_url": "http://ecert.test"})
    assert cookie_secure(unvalidated) is True
    with TestClient(create_app(unvalidated), base_url="https://ecert.test") as client:
        api_key, client_id = register_bank(client, allowed={ABSTRACT: ["name"]})
        r = client.post("/console/sign-in", data={"api_key": api_key, "client_id": client_id, "csrf_token": login_token(client)},
                        follow_redirects=False)
        assert r.status_code == 303, r.text
        cookies = r.headers.get_list("set-cookie")
        session_cookie = next(c for c in cookies if c.startswith("__Host-ecert_console="))
        assert "Secure" in session_cookie


# --- files at rest ------------------------------------------------------------------------
def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual umask (022): what made data/ 0755 and ecert.db 0644 before."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def test_data_dir_and_sqlite_files_are_owner_only(tmp_path: Path, open_umask: None) -> None:
    data = tmp_path / "fresh" / "data"
    settings = Settings(data_dir=data, key_passphrase=TEST_KEY_PASSPHRASE, storage_key=TEST_STORAGE_KEY)
    state = build_state(settings)  # migrates: the database, its -wal and -shm exist now
    try:
        database = data / "ecert.db"
        assert mode(data) == 0o700
        assert mode(database) == 0o600
        for suffix in ("-wal", "-shm"):
            companion = database.with_name(database.name + suffix)
            assert companion.exists() and mode(companion) == 0o600, suffix
    finally:
        state.engine.dispose()


def test_generated_secrets_and_their_directory_are_owner_only(tmp_path: Path, open_umask: None) -> None:
    data = tmp_path / "data"
    settings = Settings(data_dir=data)
    assert settings.effective_storage_key and settings.effective_key_passphrase
    assert mode(data) == 0o700
    assert mode(data / "storage-key") == 0o600 and mode(data / "key-passphrase") == 0o600


def test_files_an_older_start_left_readable_are_tightened(tmp_path: Path, open_umask: None, caplog: pytest.LogCaptureFixture) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    database = data / "ecert.db"
    wal = database.with_name("ecert.db-wal")
    for path in (database, wal):  # an empty database and -wal are valid to SQLite
        path.touch()
        os.chmod(path, 0o644)
    settings = Settings(data_dir=data, key_passphrase=TEST_KEY_PASSPHRASE, storage_key=TEST_STORAGE_KEY)
    with caplog.at_level(logging.WARNING):
        state = build_state(settings)
    try:
        assert mode(database) == 0o600
        for suffix in ("-wal", "-shm"):
            assert mode(database.with_name(database.name + suffix)) == 0o600
        # an existing directory may be shared or a mount point: left alone, but said
        assert mode(data) == 0o755
        assert any("chmod 700" in r.getMessage() and str(data) in r.getMessage() for r in caplog.records)
    finally:
        state.engine.dispose()


# --- ecert serve ----------------------------------------------------------------------------
@pytest.fixture
def serve_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """ECERT_* for a throw-away data dir; uvicorn.run records its arguments instead of serving."""
    for name in list(os.environ):
        if name.startswith("ECERT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ECERT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ECERT_KEY_PASSPHRASE", TEST_KEY_PASSPHRASE)
    monkeypatch.setenv("ECERT_STORAGE_KEY", TEST_STORAGE_KEY)
    calls: list[dict[str, Any]] = []
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append({"app": app, **kwargs}))
    return calls


def serve(*args: str) -> Any:
    from wallet_api.cli.main import app

    return CliRunner().invoke(app, ["serve", *args])


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "ecert.example"])
def test_serve_refuses_a_network_host_in_development(serve_env: list[dict[str, Any]], host: str) -> None:
    result = serve("--host", host)
    assert result.exit_code == 2
    assert "DEVELOPMENT mode" in result.output and "mints enrolment assertions for ANYONE" in result.output
    refusal_line = next(line for line in result.output.splitlines() if line.startswith("ecert: refusing"))
    assert f"--host {host}" in refusal_line and "--allow-network-demo" in refusal_line
    assert serve_env == []  # nothing served


def test_serve_on_loopback_in_development_warns_and_runs(serve_env: list[dict[str, Any]]) -> None:
    result = serve("--host", "127.0.0.1", "--port", "8123")
    assert result.exit_code == 0, result.output
    assert "DEVELOPMENT mode" in result.output
    (call,) = serve_env
    assert call["host"] == "127.0.0.1" and call["port"] == 8123


def test_serve_on_a_network_with_the_demo_flag(serve_env: list[dict[str, Any]]) -> None:
    result = serve("--host", "0.0.0.0", "--allow-network-demo")
    assert result.exit_code == 0, result.output
    assert "DEVELOPMENT mode" in result.output
    assert len(serve_env) == 1


def test_serve_passes_the_slow_client_limits(serve_env: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    from wallet_api.http.server_protocols import protocol_class

    monkeypatch.setenv("ECERT_MAX_CONCURRENCY", "64")
    monkeypatch.setenv("ECERT_KEEP_ALIVE_TIMEOUT_S", "7")
    monkeypatch.setenv("ECERT_MAX_HEADER_BYTES", "8192")
    assert serve().exit_code == 0
    (call,) = serve_env
    assert call["limit_concurrency"] == 64 and call["timeout_keep_alive"] == 7
    assert call["h11_max_incomplete_event_size"] == 8192
    assert call["http"] is protocol_class()


def test_serve_in_production_does_not_warn_and_binds_anywhere(serve_env: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECERT_ENVIRONMENT", "production")
    monkeypatch.setenv("ECERT_PUBLIC_URL", "https://ecert.test")
    monkeypatch.setenv("ECERT_KEY_PASSPHRASE", STRONG_PASSPHRASE)
    result = serve("--host", "0.0.0.0")
    assert result.exit_code == 0, result.output
    assert "DEVELOPMENT" not in result.output and len(serve_env) == 1


def test_serve_refuses_weak_production_settings_in_one_line(serve_env: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECERT_ENVIRONMENT", "production")
    monkeypatch.setenv("ECERT_KEY_PASSPHRASE", STRONG_PASSPHRASE)
    # no ECERT_PUBLIC_URL: serve would name itself http://HOST:PORT, which production refuses
    result = serve("--host", "0.0.0.0")
    assert result.exit_code == 2
    assert result.output.strip() == "ecert: ECERT_PUBLIC_URL must be an https:// URL in production"
    assert serve_env == []
