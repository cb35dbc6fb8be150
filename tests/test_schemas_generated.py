"""100 generated type files load, and each type's examples satisfy its own JSON Schema.

``jsonschema`` is not a dependency, so a small checker below covers the keywords our export
uses. The checker is tested against wrong claims too, so a vacuous pass would be noticed.
"""

from __future__ import annotations

import json
import random
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from schemas.claim_check import check_claims
from schemas.derived import add_derived_claims
from schemas.registry import CertificateType, TypeRegistry, load_registry

TYPE_COUNT = 100


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


# --- generating type files ------------------------------------------------------------------
SCALARS = ["string", "integer", "number", "boolean", "date"]
FORMATTED_STRINGS = {
    "rrn": "900101-1234567",
    "sha256": "ab" * 32,
    "iso3166": "KR",
    "uri": "https://example.kr/x",
    "free_text_format": "anything",
}
SCALAR_EXAMPLES = {"string": "값", "integer": 42, "number": 3.25, "boolean": True, "date": "2001-02-03"}


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON strings are TOML basic strings
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"


class TypeGenerator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.serial = 0

    def label(self, name: str) -> dict[str, str]:
        return {"ko": f"항목 {name}", "en": f"Field {name}"}

    def scalar(self, name: str, order: int) -> dict[str, Any]:
        kind = self.rng.choice(SCALARS)
        claim: dict[str, Any] = {"name": name, "type": kind, "order": order, "label": self.label(name)}
        if kind == "string" and self.rng.random() < 0.4:
            fmt = self.rng.choice(sorted(FORMATTED_STRINGS))
            claim["format"] = fmt
            claim["example"] = FORMATTED_STRINGS[fmt]
            claim["sensitive"] = fmt == "rrn" or self.rng.random() < 0.1
        else:
            claim["example"] = SCALAR_EXAMPLES[kind]
        if self.rng.random() < 0.25:
            claim["required"] = False
        if self.rng.random() < 0.15:
            claim["disclosable"] = False
        return claim

    def level(self, depth: int) -> list[dict[str, Any]]:
        claims: list[dict[str, Any]] = []
        for order in range(1, self.rng.randint(1, 6 if depth else 10) + 1):
            self.serial += 1
            name = f"c{self.serial}"
            roll = self.rng.random()
            if depth < 3 and roll < 0.15:
                claim = {"name": name, "type": "object", "order": order,
                         "label": self.label(name), "properties": self.level(depth + 1)}
            elif depth < 3 and roll < 0.3:
                claim = {"name": name, "type": "array", "order": order,
                         "label": self.label(name), "items": self.element(depth + 1)}
            else:
                claim = self.scalar(name, order)
            claims.append(claim)
        dates = [c["name"] for c in claims if c["type"] == "date"]
        if dates and self.rng.random() < 0.6:
            years = self.rng.choice([14, 19, 65])
            claims.append({
                "name": f"age_over_{years}", "type": "boolean", "order": len(claims) + 1,
                "label": self.label(f"age_over_{years}"),
                "derive": {"rule": "age_over", "years": years, "from": self.rng.choice(dates)},
            })
        return claims

    def element(self, depth: int) -> dict[str, Any]:
        if self.rng.random() < 0.6:
            return {"name": "element", "type": "object", "order": 1, "label": self.label("element"),
                    "properties": self.level(depth)}
        element = self.scalar("element", 1)
        element.pop("required", None)
        return element

    def type_file(self, type_id: str) -> str:
        header = {
            "id": type_id,
            "version": self.rng.randint(1, 3),
            "delivery": self.rng.choice(["sd-jwt-vc", "qr"]),
            "adapter": f"adapter_{self.rng.randint(1, 5)}",
            "status_family": f"family_{self.rng.randint(1, 3)}",
            "validity_days": self.rng.choice([1, 30, 90, 365]),
            "name": {"ko": f"증명서 {type_id}", "en": f"Certificate {type_id}"},
            "description": {"ko": "생성된 유형", "en": "Generated type"},
            "agency": {"id": "agency_x", "ko": "기관", "en": "Agency"},
        }
        lines = [f"{key} = {toml_value(value)}" for key, value in header.items()]
        for claim in self.level(0):
            # top level as [[claims]] tables, nested levels as inline tables: both TOML shapes
            lines.append("\n[[claims]]")
            lines += [f"{key} = {toml_value(value)}" for key, value in claim.items()]
        return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> TypeRegistry:
    directory = tmp_path_factory.mktemp("types")
    for index in range(TYPE_COUNT):
        type_id = f"generated_type_{index:03d}"
        text = TypeGenerator(seed=index).type_file(type_id)
        (directory / f"{type_id}.toml").write_text(text, encoding="utf-8")
    return TypeRegistry.load(directory)


def generated_ids() -> list[str]:
    return [f"generated_type_{index:03d}" for index in range(TYPE_COUNT)]


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
