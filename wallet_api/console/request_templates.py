"""Bank-counter request templates: data (``templates.toml``) turned into DCQL queries.

Templates are validated against the type registry when loaded, so a typo in a claim name
fails at start-up rather than in front of a customer.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from issuers.pipeline import vct_for
from schemas.registry import TypeRegistry
from verifiers.claim_selection import top_level_allowed
from verifiers.models import RelyingParty

TEMPLATES_FILE = Path(__file__).with_name("templates.toml")


@dataclass(frozen=True)
class TemplateCredential:
    id: str
    type_id: str
    #: dotted names; each dot steps into the elements of an array
    claims: tuple[str, ...]


@dataclass(frozen=True)
class RequestTemplate:
    id: str
    name: dict[str, str]
    purpose: dict[str, str]
    credentials: tuple[TemplateCredential, ...]

    def allowed_for(self, party: RelyingParty) -> bool:
        for credential in self.credentials:
            allowed = party.allowed.get(credential.type_id)
            if allowed is None:
                return False
            if not all(top_level_allowed(tuple(c.split(".")), allowed) for c in credential.claims):
                return False
        return True

    def dcql_query(self, *, issuer_id: str, registry: TypeRegistry) -> dict[str, Any]:
        return {
            "credentials": [
                {
                    "id": c.id,
                    "format": "dc+sd-jwt",
                    "meta": {"vct_values": [vct_for(issuer_id, c.type_id)]},
                    "claims": [{"path": _dcql_path(registry, c.type_id, name)} for name in c.claims],
                }
                for c in self.credentials
            ]
        }


def _dcql_path(registry: TypeRegistry, type_id: str, dotted: str) -> list[str | None]:
    """``history.workplace_name`` → ``["history", null, "workplace_name"]`` (every element)."""
    path: list[str | None] = []
    names = dotted.split(".")
    array_paths = {p.removesuffix("[]") for p, _ in registry.get(type_id).iter_claims() if p.endswith("[]")}
    for index, name in enumerate(names):
        path.append(name)
        if index < len(names) - 1 and ".".join(names[: index + 1]) in array_paths:
            path.append(None)
    return path


def _check(template: RequestTemplate, registry: TypeRegistry) -> None:
    for credential in template.credentials:
        type_def = registry.get(credential.type_id)
        for claim in credential.claims:
            try:
                type_def.claim(claim)
            except KeyError:
                raise ValueError(f"template {template.id!r}: {credential.type_id} has no claim {claim!r}") from None


def load_templates(registry: TypeRegistry, path: Path = TEMPLATES_FILE) -> dict[str, RequestTemplate]:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    templates: dict[str, RequestTemplate] = {}
    for entry in raw.get("templates", []):
        template = RequestTemplate(
            id=entry["id"],
            name=dict(entry["name"]),
            purpose=dict(entry["purpose"]),
            credentials=tuple(
                TemplateCredential(c["id"], c["type"], tuple(c["claims"])) for c in entry["credentials"]
            ),
        )
        _check(template, registry)
        templates[template.id] = template
    return templates
