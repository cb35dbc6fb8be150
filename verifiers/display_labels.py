"""Display labels (ko/en) for the claims a result shows, from the certificate type."""

from __future__ import annotations

from typing import Any

from schemas.registry import TypeRegistry


def labels_for(registry: TypeRegistry | None, type_id: str | None, claims: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Dotted definition path (``address_history[].address``) → {ko, en}, for disclosed claims."""
    if registry is None or type_id is None or type_id not in registry:
        return {}
    labels: dict[str, dict[str, str]] = {}
    for path, definition in registry.get(type_id).iter_claims():
        top = path.split(".", 1)[0].removesuffix("[]")
        if top in claims:
            labels[path] = {"ko": definition.label.ko, "en": definition.label.en}
    return labels
