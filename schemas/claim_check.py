"""Check claim values against claim definitions.

Used to reject a type file whose examples contradict its own claims, and by the issuing
pipeline to reject an adapter's output before anything is signed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from schemas.claim_formats import NON_NEGATIVE_FORMATS, is_iso_date, string_format_problem

if TYPE_CHECKING:
    from schemas.type_models import CertificateType, ClaimDefinition


@dataclass(frozen=True, slots=True)
class ClaimProblem:
    path: str  # e.g. "members[2].move_in_date"
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def check_claims(type_def: CertificateType, claims: dict[str, Any]) -> list[ClaimProblem]:
    """Every way ``claims`` (derived claims included) fails ``type_def``; empty if it conforms."""
    if not isinstance(claims, dict):
        return [ClaimProblem("", "claims must be an object")]
    return object_problems(type_def.claims, claims, "")


def object_problems(
    definitions: list[ClaimDefinition], values: dict[str, Any], prefix: str
) -> list[ClaimProblem]:
    by_name = {d.name: d for d in definitions}
    problems: list[ClaimProblem] = []
    for definition in definitions:
        path = _join(prefix, definition.name)
        if definition.name in values:
            problems += value_problems(definition, values[definition.name], path)
        elif definition.required:
            problems.append(ClaimProblem(path, "required claim missing"))
    for key in values:
        if key not in by_name:
            problems.append(ClaimProblem(_join(prefix, key), "not a claim of this type"))
    return problems


def value_problems(definition: ClaimDefinition, value: Any, path: str) -> list[ClaimProblem]:
    kind = definition.type
    if value is None:
        # an absent optional claim is left out, never sent as null
        return [ClaimProblem(path, "must not be null")]
    if kind == "object":
        if not isinstance(value, dict):
            return [ClaimProblem(path, "must be an object")]
        return object_problems(definition.properties or [], value, path)
    if kind == "array":
        if not isinstance(value, list):
            return [ClaimProblem(path, "must be an array")]
        assert definition.items is not None  # guaranteed by ClaimDefinition validation
        problems: list[ClaimProblem] = []
        for index, element in enumerate(value):
            problems += value_problems(definition.items, element, f"{path}[{index}]")
        return problems
    message = _scalar_problem(kind, definition.format, value)
    return [ClaimProblem(path, message)] if message else []


def _scalar_problem(kind: str, fmt: str | None, value: Any) -> str | None:
    # bool is a subclass of int in Python but never a number on the wire
    if kind == "boolean":
        return None if isinstance(value, bool) else "must be a boolean"
    if kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            return "must be an integer"
        return _sign_problem(fmt, value)
    if kind == "number":
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return "must be a number"
        if not math.isfinite(value):
            return "must be a finite number"
        return _sign_problem(fmt, value)
    if kind == "date":
        if not isinstance(value, str) or not is_iso_date(value):
            return "must be an ISO date string YYYY-MM-DD"
        return None
    if not isinstance(value, str):
        return "must be a string"
    return string_format_problem(fmt, value) if fmt else None


def _sign_problem(fmt: str | None, value: float) -> str | None:
    if fmt in NON_NEGATIVE_FORMATS and value < 0:
        return f"must not be negative (format {fmt!r})"
    return None


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name
