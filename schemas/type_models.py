"""The model a certificate type file is validated into.

Rules that span fields (an object has properties, ``derive.from`` names a sibling date claim,
an example fits its claim) are checked here, so a type built in code is held to the same
rules as one read from a file. Each rule violation is a ``PydanticCustomError`` carrying the
offending field relative to the model that raised it, which the loader turns into
``claims[3].derive.from``.
"""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from schemas import claim_paths
from schemas.claim_check import value_problems
from schemas.json_schema import claims_json_schema

ClaimType = Literal["string", "integer", "number", "boolean", "date", "object", "array"]

#: fields that steer issuance inside this service and are not published (see ``public()``)
INTERNAL_FIELDS = frozenset({"adapter", "status_family"})

# snake_case: these ids end up in URLs (vct), database rows and JSON keys
_IDENTIFIER = r"^[a-z][a-z0-9_]*$"


class _TypeFileModel(BaseModel):
    # strict: a type file saying validity_days = "90" is a typo to fix, not a value to coerce;
    # extra="forbid": a misspelt optional field (e.g. "sensitve") must fail, not be ignored
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, validate_by_name=True)


class Localized(_TypeFileModel):
    ko: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Agency(_TypeFileModel):
    id: str = Field(pattern=_IDENTIFIER)
    ko: str = Field(min_length=1)
    en: str = Field(min_length=1)


class DeriveRule(_TypeFileModel):
    rule: Literal["age_over"]
    years: int = Field(ge=1, le=150)
    from_: str = Field(alias="from")


class ClaimDefinition(_TypeFileModel):
    name: str = Field(pattern=_IDENTIFIER)
    type: ClaimType
    required: bool = True
    disclosable: bool = True
    sensitive: bool = False
    format: str | None = None
    order: int
    label: Localized
    example: Any | None = None
    properties: list[ClaimDefinition] | None = None
    items: ClaimDefinition | None = None
    derive: DeriveRule | None = None

    @model_validator(mode="after")
    def _check_shape(self) -> Self:
        if self.type == "object" and not self.properties:
            raise _rule_error("properties", "an object claim needs at least one property")
        if self.type != "object" and self.properties is not None:
            raise _rule_error("properties", f"only object claims have properties, not {self.type}")
        if self.type == "array" and self.items is None:
            raise _rule_error("items", "an array claim needs an items definition")
        if self.type != "array" and self.items is not None:
            raise _rule_error("items", f"only array claims have items, not {self.type}")
        if self.derive is not None and self.type != "boolean":
            raise _rule_error("derive", "only boolean claims can be derived (age_over)")
        if self.properties:
            _check_siblings(self.properties, "properties")
        if self.example is not None:
            problems = value_problems(self, self.example, "example")
            if problems:
                first = problems[0]
                raise _rule_error(first.path, f"example {first.message}")
        return self


class CertificateType(_TypeFileModel):
    id: str = Field(pattern=_IDENTIFIER)
    version: int = Field(ge=1)
    delivery: Literal["sd-jwt-vc", "qr"]
    adapter: str = Field(pattern=_IDENTIFIER)
    status_family: str = Field(pattern=_IDENTIFIER)
    validity_days: int = Field(ge=1, le=3650)
    name: Localized
    description: Localized
    agency: Agency
    claims: list[ClaimDefinition] = Field(min_length=1)

    @model_validator(mode="after")
    def _check_claims(self) -> Self:
        _check_siblings(self.claims, "claims")
        return self

    def claims_json_schema(self) -> dict[str, Any]:
        """JSON Schema (2020-12) of the claims object, registered JWT claims excluded."""
        return claims_json_schema(self)

    def public(self) -> dict[str, Any]:
        """What wallets and relying parties may see: everything but internal issuance rules."""
        return self.model_dump(
            mode="json", by_alias=True, exclude=set(INTERNAL_FIELDS), exclude_none=True
        )

    def claim(self, dotted_path: str) -> ClaimDefinition:
        """The definition at ``members.name`` / ``members[].name``; KeyError if none."""
        return claim_paths.find(self.claims, dotted_path)

    def iter_claims(self) -> list[tuple[str, ClaimDefinition]]:
        """Every definition with its path (``members``, ``members[]``, ``members[].name``)."""
        return list(claim_paths.walk(self.claims))

    def disclosable_paths(self) -> list[str]:
        """Paths that become SD-JWT disclosures (``x[]``: each array element is one)."""
        return [path for path, claim in claim_paths.walk(self.claims) if claim.disclosable]

    def always_disclosed_paths(self) -> list[str]:
        """Paths a verifier always receives: plain claims in the signed payload."""
        return [path for path, claim in claim_paths.walk(self.claims) if not claim.disclosable]

    def sensitive_paths(self) -> list[str]:
        return [path for path, claim in claim_paths.walk(self.claims) if claim.sensitive]

    def derived_claims(self) -> dict[str, ClaimDefinition]:
        """Claims the issuing pipeline computes (never an adapter), by path."""
        return {path: c for path, c in claim_paths.walk(self.claims) if c.derive is not None}

    def example_claims(self) -> dict[str, Any]:
        """A claims object assembled from the examples in the type file."""
        return _example_object(self.claims)


def _check_siblings(claims: list[ClaimDefinition], field: str) -> None:
    """Rules between claims on one level: unique names and orders, derive sources."""
    seen_names: dict[str, int] = {}
    seen_orders: dict[int, int] = {}
    for index, claim in enumerate(claims):
        if claim.name in seen_names:
            raise _rule_error(
                f"{field}[{index}].name",
                f"duplicate claim name {claim.name!r} (also {field}[{seen_names[claim.name]}])",
            )
        if claim.order in seen_orders:
            raise _rule_error(
                f"{field}[{index}].order",
                f"duplicate order {claim.order} (also {field}[{seen_orders[claim.order]}])",
            )
        seen_names[claim.name] = index
        seen_orders[claim.order] = index
    by_name = {claim.name: claim for claim in claims}
    for index, claim in enumerate(claims):
        if claim.derive is None:
            continue
        source = by_name.get(claim.derive.from_)
        if source is None or source.type != "date":
            raise _rule_error(
                f"{field}[{index}].derive.from",
                f"{claim.derive.from_!r} is not a date claim on the same level",
            )


def _rule_error(field: str, message: str) -> PydanticCustomError:
    return PydanticCustomError("type_rule", "{message}", {"field": field, "message": message})


def _example_object(claims: list[ClaimDefinition]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for claim in claims:
        value = _example_value(claim)
        if value is not None:
            result[claim.name] = value
    return result


def _example_value(claim: ClaimDefinition) -> Any:
    if claim.example is not None:
        return claim.example
    if claim.type == "object":
        return _example_object(claim.properties or [])
    if claim.type == "array" and claim.items is not None:
        element = _example_value(claim.items)
        return [] if element is None else [element]
    return None
