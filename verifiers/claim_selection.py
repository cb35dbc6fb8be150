"""Claim paths over disclosed claims: is a path there, and cutting claims down to paths.

Paths are DCQL ``claims[].path`` arrays as tuples: a string names an object member, an
integer an array position, ``None`` every element of an array.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from keys.sd_jwt import ClaimPath


def has_path(value: Any, path: ClaimPath) -> bool:
    """Whether ``path`` reaches a value; ``None`` is satisfied by any one element."""
    if not path:
        return True
    step, rest = path[0], path[1:]
    if isinstance(step, str):
        return isinstance(value, dict) and step in value and has_path(value[step], rest)
    if not isinstance(value, list):
        return False
    if step is None:
        return any(has_path(element, rest) for element in value)
    return 0 <= step < len(value) and has_path(value[step], rest)


def _merge(into: Any, part: Any) -> Any:
    if isinstance(into, dict) and isinstance(part, dict):
        for key, value in part.items():
            into[key] = _merge(into[key], value) if key in into else value
        return into
    return part


def _select(value: Any, path: ClaimPath) -> Any:
    """The part of ``value`` under ``path``, keeping the structure above it; ... if absent."""
    if not path:
        return value
    step, rest = path[0], path[1:]
    if isinstance(step, str) and isinstance(value, list):
        # a dotted registration name ("address_history.address") steps through arrays
        return _select(value, (None, *path))
    if isinstance(step, str):
        if isinstance(value, dict) and step in value:
            inner = _select(value[step], rest)
            return ... if inner is ... else {step: inner}
        return ...
    if not isinstance(value, list):
        return ...
    if step is None:
        # arrays are kept whole below the selected level: positions mean something to the reader
        kept = [_select(e, rest) for e in value]
        return ... if all(e is ... for e in kept) else [None if e is ... else e for e in kept]
    if 0 <= step < len(value):
        inner = _select(value[step], rest)
        return ... if inner is ... else [inner]
    return ...


def restrict(claims: dict[str, Any], paths: Iterable[ClaimPath]) -> dict[str, Any]:
    """Only the parts of ``claims`` that ``paths`` name (a relying party sees what it asked for)."""
    out: dict[str, Any] = {}
    for path in paths:
        part = _select(claims, tuple(path))
        if part is not ...:
            _merge(out, part)
    return out


def top_level_allowed(path: ClaimPath, allowed: Iterable[str]) -> bool:
    """Whether a requested path lies under one of ``allowed`` (dotted names, array steps skipped).

    ``address_history.address`` allows ``["address_history", None, "address"]``; ``address_history``
    allows everything below it.
    """
    names = tuple(step for step in path if isinstance(step, str))
    for entry in allowed:
        prefix = tuple(entry.split("."))
        if names[: len(prefix)] == prefix:
            return True
    return False
