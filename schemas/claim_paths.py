"""Dotted paths into a type's claim tree.

A path names a claim definition, not a value: ``members`` is the array, ``members[]`` its
element definition, ``members[].name`` a property of every element. ``claim()`` also accepts
``members.name`` (array levels skipped), the form people write by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from schemas.type_models import ClaimDefinition

ELEMENT = "[]"


def walk(claims: list[ClaimDefinition], prefix: str = "") -> Iterator[tuple[str, ClaimDefinition]]:
    """Every definition in the tree with its path, parents before children, file order."""
    for claim in claims:
        path = f"{prefix}.{claim.name}" if prefix else claim.name
        yield from _walk_one(claim, path)


def _walk_one(claim: ClaimDefinition, path: str) -> Iterator[tuple[str, ClaimDefinition]]:
    yield path, claim
    if claim.properties:
        yield from walk(claim.properties, path)
    if claim.items is not None:
        yield from _walk_one(claim.items, path + ELEMENT)


def find(claims: list[ClaimDefinition], dotted_path: str) -> ClaimDefinition:
    """The definition at ``dotted_path``; KeyError naming the path if there is none."""
    level = claims
    current: ClaimDefinition | None = None
    for segment in dotted_path.split("."):
        want_element = segment.endswith(ELEMENT)
        name = segment.removesuffix(ELEMENT)
        if current is not None:
            level = _children(current)
        current = next((c for c in level if c.name == name), None)
        if current is None:
            raise KeyError(dotted_path)
        if want_element:
            if current.items is None:
                raise KeyError(dotted_path)
            current = current.items
    if current is None:
        raise KeyError(dotted_path)
    return current


def _children(claim: ClaimDefinition) -> list[ClaimDefinition]:
    if claim.items is not None:
        # "members.name": step through the array to its element's properties
        return claim.items.properties or []
    return claim.properties or []
