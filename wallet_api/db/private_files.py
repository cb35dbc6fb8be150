"""The data directory and the files the service writes into it, readable by the owner only.

The SQLite database holds sealed personal data, but also keyed lookup hashes, relying-party
records and everything else an attacker on the same machine would like to copy; the generated
secrets next to it unseal the rest. So: directory 0700, files 0600, whatever the umask.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
#: SQLite's companions of a database file in WAL mode
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")

_log = logging.getLogger(__name__)


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` (and parents) readable by the owner only. An existing directory is
    left as it is (it may be shared, or be a mount point); if others can read it, say so:
    the files inside are 0600 either way, but their names and sizes show."""
    try:
        path.mkdir(mode=PRIVATE_DIR_MODE, parents=True)
    except FileExistsError:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            _log.warning("data directory %s is mode %o: others can list it; chmod 700 it", path, mode)
        return
    # mkdir's mode passes through the umask, which can only take bits away: 0700 stays 0700
    # or less; set it exactly so the owner can always enter it
    os.chmod(path, PRIVATE_DIR_MODE)


def ensure_private_file(path: Path) -> None:
    """Make sure ``path`` exists and is 0600 before another library creates or opens it
    (SQLite gives its -wal and -shm files the mode of the database file)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        if stat.S_IMODE(path.stat().st_mode) != PRIVATE_FILE_MODE:
            os.chmod(path, PRIVATE_FILE_MODE)
        return
    os.close(fd)
    os.chmod(path, PRIVATE_FILE_MODE)  # the umask could have taken bits away; never added any


def ensure_private_sqlite(database: Path) -> None:
    """The database file 0600 before SQLite first opens it: SQLite then creates its -wal and
    -shm files with the database file's mode. Companions left by an older start are tightened."""
    ensure_private_dir(database.parent)
    ensure_private_file(database)
    for suffix in SQLITE_COMPANIONS:
        companion = database.with_name(database.name + suffix)
        if companion.exists() and stat.S_IMODE(companion.stat().st_mode) != PRIVATE_FILE_MODE:
            os.chmod(companion, PRIVATE_FILE_MODE)
