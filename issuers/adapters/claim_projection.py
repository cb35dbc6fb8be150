"""Turn a record-shaped dict into the exact claims a type defines.

Agency systems return more than a certificate carries (the building register copy and
extract are the same record, cut differently), so adapters build the full record once and
this module cuts it to the type: keys the type does not define are dropped, ``None`` means
"no value" and is left out, dates become ISO strings. Missing *required* claims are not
filled in here; the pipeline's claims check reports them.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from schemas.registry import ClaimDefinition


def project(definitions: list[ClaimDefinition], record: dict[str, Any]) -> dict[str, Any]:
    claims: dict[str, Any] = {}
    for definition in definitions:
        if definition.derive is not None:
            continue  # computed by the pipeline, never by an agency
        value = record.get(definition.name)
        if value is not None:
            claims[definition.name] = _project_value(definition, value)
    return claims


def _project_value(definition: ClaimDefinition, value: Any) -> Any:
    if definition.type == "object" and isinstance(value, dict):
        return project(definition.properties or [], value)
    if definition.type == "array" and isinstance(value, (list, tuple)) and definition.items is not None:
        return [_project_value(definition.items, element) for element in value]
    if isinstance(value, date):
        return value.isoformat()
    return value
