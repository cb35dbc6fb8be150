"""Export a certificate type's claims as JSON Schema (draft 2020-12).

Published to wallets and relying parties so they can validate and render a credential's
claims without knowing our type-file format. ``x-*`` keywords are annotations for renderers
(labels in both languages, disclosability, masking); validators ignore them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from schemas.claim_formats import FORMAT_PATTERNS, NON_NEGATIVE_FORMATS, STANDARD_FORMATS

if TYPE_CHECKING:
    from schemas.type_models import CertificateType, ClaimDefinition

DIALECT = "https://json-schema.org/draft/2020-12/schema"

# "date" is a string on the wire (JSON has no date type)
_JSON_TYPES = {
    "string": "string",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "date": "string",
    "object": "object",
    "array": "array",
}


def claims_json_schema(type_def: CertificateType) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "$schema": DIALECT,
        "title": type_def.name.en,
        "x-title": type_def.name.model_dump(),
        "description": type_def.description.en,
    }
    schema.update(_object_schema(type_def.claims))
    return schema


def claim_json_schema(claim: ClaimDefinition) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": _JSON_TYPES[claim.type],
        "title": claim.label.en,
        "x-label": claim.label.model_dump(),
        "x-order": claim.order,
        "x-disclosable": claim.disclosable,
        "x-sensitive": claim.sensitive,
    }
    if claim.type == "date":
        schema["format"] = "date"
    if claim.format is not None:
        schema.update(_format_keywords(claim.format))
    if claim.derive is not None:
        schema["x-derive"] = claim.derive.model_dump(by_alias=True)
    if claim.example is not None:
        schema["examples"] = [claim.example]
    if claim.type == "object":
        schema.update(_object_schema(claim.properties or []))
    if claim.type == "array" and claim.items is not None:
        schema["items"] = claim_json_schema(claim.items)
    return schema


def _object_schema(claims: list[ClaimDefinition]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {claim.name: claim_json_schema(claim) for claim in claims},
        "required": [claim.name for claim in claims if claim.required],
        # a claim no type file defines is a bug in the issuer, not an extension
        "additionalProperties": False,
    }


def _format_keywords(fmt: str) -> dict[str, Any]:
    if fmt in STANDARD_FORMATS:
        return {"format": fmt}
    keywords: dict[str, Any] = {"x-format": fmt}
    if fmt in FORMAT_PATTERNS:
        keywords["pattern"] = FORMAT_PATTERNS[fmt]
    if fmt in NON_NEGATIVE_FORMATS:
        keywords["minimum"] = 0
    return keywords
