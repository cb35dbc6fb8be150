"""Where the CLI finds its server.

`ecert serve` writes a record of where it runs (data directory, database, public URL) into the
user's state directory; every other command, run from any directory by the same user, reads
its settings from there unless `--data-dir`, `ECERT_DATA_DIR` or `ECERT_DATABASE_URL` says
otherwise. A command with nothing configured, no record and no `./data` refuses instead of
creating a new data directory with new keys: that silent second service was the trap.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import typer

from keys.json_document import read_json
from wallet_api.db.private_files import PRIVATE_FILE_MODE, ensure_private_dir
from wallet_api.settings import Settings, SettingsError

#: the variables that say where the data is; when one is set, the record is not read
LOCATION_VARIABLES = ("ECERT_DATA_DIR", "ECERT_DATABASE_URL")


def record_path() -> Path:
    """`$XDG_STATE_HOME/ecert/server.json` (default `~/.local/state/ecert/server.json`)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "ecert" / "server.json"


@dataclass(frozen=True)
class ServerRecord:
    data_dir: str
    public_url: str
    database_url: str | None
    pid: int
    written_at: str


def write_server_record(settings: Settings) -> Path:
    """Owner-only: the database URL may carry a password."""
    path = record_path()
    ensure_private_dir(path.parent)
    record = ServerRecord(
        data_dir=str(settings.data_dir.resolve()),
        public_url=settings.public_url,
        database_url=settings.database_url,
        pid=os.getpid(),
        written_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    with os.fdopen(fd, "w") as handle:
        json.dump(asdict(record), handle, indent=2)
    os.replace(temporary, path)
    return path


def read_server_record() -> ServerRecord | None:
    path = record_path()
    try:
        raw: Any = read_json(path.read_bytes())
        return ServerRecord(
            data_dir=str(raw["data_dir"]),
            public_url=str(raw["public_url"]),
            database_url=raw.get("database_url"),
            pid=int(raw.get("pid", 0)),
            written_at=str(raw.get("written_at", "")),
        )
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError, AttributeError):
        raise SettingsError(f"{path} is not a server record: delete it and run `ecert serve` again") from None


class DataDirOption:
    """The global `--data-dir` option of this invocation (set by the app's callback)."""

    value: Path | None = None


def refuse(message: str) -> NoReturn:
    """A usage error: one line on stderr, exit 2, no traceback."""
    typer.echo(f"ecert: {message}", err=True)
    raise typer.Exit(2)


def cli_settings() -> Settings:
    """The settings a command other than `serve` runs with (see the module docstring)."""
    try:
        return _located_settings()
    except SettingsError as exc:
        refuse(str(exc))


def serve_settings() -> Settings:
    """`serve` decides where the data is (and records it); `--data-dir` wins over the environment."""
    try:
        if DataDirOption.value is not None:
            return Settings.from_environment(data_dir=DataDirOption.value)
        return Settings.from_environment()
    except SettingsError as exc:
        refuse(str(exc))


def _located_settings() -> Settings:
    if DataDirOption.value is not None:
        return Settings.from_environment(data_dir=DataDirOption.value)
    if any(os.environ.get(name) for name in LOCATION_VARIABLES):
        return Settings.from_environment()
    record = read_server_record()
    if record is not None:
        if not Path(record.data_dir).is_dir():
            raise SettingsError(
                f"the server recorded in {record_path()} kept its data in {record.data_dir}, which is gone;"
                " point at the right one with --data-dir DIR or ECERT_DATA_DIR"
            )
        found: dict[str, Any] = {"data_dir": Path(record.data_dir), "database_url": record.database_url}
        if not os.environ.get("ECERT_PUBLIC_URL"):
            found["public_url"] = record.public_url
        return Settings.from_environment(**found)
    default = Settings.model_fields["data_dir"].default
    if not Path(default).is_dir():
        raise SettingsError(
            f"no data directory at {Path(default).resolve()} and no server recorded in {record_path()}:"
            " run `ecert serve` first (it records where it runs), or point at the data with --data-dir DIR"
            " or ECERT_DATA_DIR"
        )
    return Settings.from_environment()


def cli_state():  # type: ignore[no-untyped-def]
    from wallet_api.wiring.bootstrap import build_state

    return build_state(cli_settings())
