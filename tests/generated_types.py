"""Generated certificate type files (the generated fixture): many types, as an agency adding them would.

A pytest plugin (tests/conftest.py lists it): its fixtures (generated) are
available to every test."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from schemas.registry import TypeRegistry



TYPE_COUNT = 100

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
