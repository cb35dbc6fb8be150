"""100 generated type files load, and each type's examples satisfy its own JSON Schema.

``jsonschema`` is not a dependency, so a small checker below covers the keywords our export
uses. The checker is tested against wrong claims too, so a vacuous pass would be noticed.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest

from schemas.claim_check import check_claims
from schemas.derived import add_derived_claims
from schemas.registry import CertificateType, TypeRegistry, load_registry
from tests.generated_types import SCALARS, TYPE_COUNT, generated_ids


# --- a minimal JSON Schema 2020-12 checker --------------------------------------------------
def schema_errors(schema: dict[str, Any], value: Any, path: str = "$") -> list[str]:
    expected = schema.get("type")
    if expected is not None and not _has_json_type(value, expected):
        return [f"{path}: expected {expected}, got {type(value).__name__}"]
    errors: list[str] = []
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{path}: does not match {schema['pattern']}")
        if schema.get("format") == "date":
            try:
                date.fromisoformat(value)
            except ValueError:
                errors.append(f"{path}: not a date")
    if "minimum" in schema and isinstance(value, (int, float)) and value < schema["minimum"]:
        errors.append(f"{path}: below minimum")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                errors.append(f"{path}.{name}: required")
        for name, member in value.items():
            if name in properties:
                errors += schema_errors(properties[name], member, f"{path}.{name}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{path}.{name}: not allowed")
    if isinstance(value, list) and "items" in schema:
        for index, element in enumerate(value):
            errors += schema_errors(schema["items"], element, f"{path}[{index}]")
    return errors


def _has_json_type(value: Any, expected: str) -> bool:
    if expected == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    python_types = {"string": str, "boolean": bool, "object": dict, "array": list, "null": type(None)}
    return isinstance(value, python_types[expected])


def test_hundred_generated_types_load(generated: TypeRegistry) -> None:
    assert len(generated) == TYPE_COUNT
    assert generated.ids() == generated_ids()


def test_generated_types_cover_every_shape(generated: TypeRegistry) -> None:
    kinds = {claim.type for t in generated for _, claim in t.iter_claims()}
    assert kinds == set(SCALARS) | {"object", "array"}
    nested_derived = [p for t in generated for p in t.derived_claims() if "." in p]
    arrays_of_objects = [p for t in generated for p, c in t.iter_claims()
                         if c.type == "array" and c.items is not None and c.items.type == "object"]
    depth_three = [p for t in generated for p, _ in t.iter_claims() if p.count(".") >= 3]
    assert nested_derived and arrays_of_objects and depth_three


def assert_examples_match_schema(type_def: CertificateType) -> None:
    schema = type_def.claims_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    json.dumps(schema)  # publishable as-is
    # derived claims are the pipeline's, not the file's: compute them as it would
    claims = add_derived_claims(type_def, type_def.example_claims(), date(2030, 1, 1))
    assert schema_errors(schema, claims) == []
    assert check_claims(type_def, claims) == []


def assert_schema_rejects_wrong_claims(type_def: CertificateType) -> None:
    schema = type_def.claims_json_schema()
    claims = add_derived_claims(type_def, type_def.example_claims(), date(2030, 1, 1))
    assert schema_errors(schema, {**claims, "not_a_claim": 1})
    first = type_def.claims[0]
    wrong = {**claims, first.name: {"nested": "object"} if first.type != "object" else "string"}
    assert schema_errors(schema, wrong)
    assert check_claims(type_def, wrong)
    required = [c.name for c in type_def.claims if c.required]
    if required:
        missing = {k: v for k, v in claims.items() if k != required[0]}
        assert schema_errors(schema, missing)
        assert check_claims(type_def, missing)


@pytest.mark.parametrize("type_id", generated_ids())
def test_generated_examples_satisfy_their_json_schema(generated: TypeRegistry, type_id: str) -> None:
    type_def = generated.get(type_id)
    assert_examples_match_schema(type_def)
    assert_schema_rejects_wrong_claims(type_def)


@pytest.mark.parametrize("type_id", generated_ids())
def test_every_claim_is_in_the_schema(generated: TypeRegistry, type_id: str) -> None:
    type_def = generated.get(type_id)
    schema = type_def.claims_json_schema()
    for path, claim in type_def.iter_claims():
        node = schema
        for segment in path.split("."):
            name = segment.removesuffix("[]")
            node = node["properties"][name]
            if segment.endswith("[]"):
                node = node["items"]
        assert node["x-label"] == {"ko": claim.label.ko, "en": claim.label.en}
        assert node["x-disclosable"] is claim.disclosable


@pytest.mark.parametrize("type_def", load_registry().all(), ids=lambda t: t.id)
def test_shipped_examples_satisfy_their_json_schema(type_def: CertificateType) -> None:
    assert_examples_match_schema(type_def)
    assert_schema_rejects_wrong_claims(type_def)


def test_schema_patterns_reject_bad_formats() -> None:
    abstract = load_registry().get("resident_registration_abstract")
    schema = abstract.claims_json_schema()
    claims = abstract.example_claims()
    assert schema_errors(schema, {**claims, "resident_registration_number": "9001011234567"})
    assert schema_errors(schema, {**claims, "birth_date": "1990-02-30"})
    assert schema_errors(schema, {**claims, "address_history": [{"address": "x"}]})
