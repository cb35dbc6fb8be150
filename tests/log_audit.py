"""A pytest plugin: every log record written while the suite runs is audited at the end.

Issue 12's rule: no log line contains a traceback for a client error, a SQL parameter, a
claim value, a token or a code. Records are kept as formatted text (message and any
traceback); at the end of the session each is searched for what must never be logged, and
the run fails naming the first offending record of each kind.
"""

from __future__ import annotations

import logging
import re

import pytest

#: what must never appear in a log line, by what it would leak
FORBIDDEN = {
    "a JWT or SD-JWT": re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    "a resident registration number": re.compile(r"(?<!\d)\d{6}-[1-8]\d{6}(?!\d)"),
    "SQL parameters": re.compile(r"\[parameters: |\[SQL: "),
    "a bearer or API key": re.compile(r"\b(?:ecrp|eop|ecwt)_[A-Za-z0-9_-]{16,}"),
    "a one-time or pre-authorized code in a URL": re.compile(r"[?&](?:code|pre-authorized_code|tx_code)=[^&\s…]"),
}


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a record that cannot format is itself worth seeing
            text = f"{record.msg!r} % {record.args!r}"
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.lines.append((record.name, text))


_collector = _Collector()


def pytest_sessionstart(session: pytest.Session) -> None:
    logging.getLogger().addHandler(_collector)
    logging.getLogger("ecert").setLevel(logging.DEBUG)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    logging.getLogger().removeHandler(_collector)
    found: list[str] = []
    for what, pattern in FORBIDDEN.items():
        for name, text in _collector.lines:
            if pattern.search(text):
                found.append(f"{what} in a log record of {name!r}: {text[:300]!r}")
                break
    if found:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_sep("=", "log audit failed", red=True)
            for line in found:
                reporter.write_line(line)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
