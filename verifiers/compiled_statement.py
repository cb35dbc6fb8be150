"""A Core statement compiled once per dialect and run as driver SQL.

The single-use marks are written on every verification; building an ``insert()``, deriving
its cache key and looking up its compiled form cost more than the database round trip.
Here the statement is built once, compiled once per dialect (so it keeps the dialect's own
SQL and parameter style), and each call only hands the driver the SQL text and the values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Dialect, Result
from sqlalchemy.sql import Executable
from sqlmodel import Session


class CompiledStatement:
    def __init__(self, build: Callable[[str], Executable]) -> None:
        #: dialect name → the statement for that dialect (they differ, e.g. in their insert())
        self._build = build
        #: (dialect name, parameter style) → the compiled form
        self._compiled: dict[tuple[str, str], _Compiled] = {}

    def _for(self, dialect: Dialect) -> _Compiled:
        key = (dialect.name, dialect.paramstyle)
        found = self._compiled.get(key)
        if found is None:
            compiled = self._build(dialect.name).compile(dialect=dialect)  # type: ignore[attr-defined]
            order = tuple(compiled.positiontup) if compiled.positional else None
            found = _Compiled(str(compiled), order, dict(compiled.params))
            self._compiled[key] = found  # one dict store: atomic under the GIL
        return found

    def execute(self, session: Session, values: Mapping[str, Any]) -> Result[Any]:
        """Run with ``values`` (by bind parameter name) on the session's connection."""
        connection = session.connection()
        compiled = self._for(connection.dialect)
        merged = {**compiled.defaults, **values}
        params = tuple(merged[name] for name in compiled.order) if compiled.order is not None else merged
        return connection.exec_driver_sql(compiled.sql, params)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    #: bind names in order, for a positional parameter style (SQLite's ``?``); None: by name
    order: tuple[str, ...] | None
    #: values the statement itself carries (a LIMIT, a literal in a WHERE)
    defaults: dict[str, Any]
