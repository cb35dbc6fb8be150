"""Injected time: timezone-aware UTC datetimes (SQLModel stores and returns them as such)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...

    def epoch(self) -> int: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def epoch(self) -> int:
        return int(datetime.now(UTC).timestamp())


class FixedClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime) -> None:
        self._now = start if start.tzinfo else start.replace(tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def epoch(self) -> int:
        return int(self._now.timestamp())

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
