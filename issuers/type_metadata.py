"""Published descriptions of a certificate type: SD-JWT VC type metadata (served at the vct
URL) and the claim paths both it and the OpenID4VCI metadata use."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from schemas.claim_paths import ELEMENT, walk
from schemas.registry import CertificateType, ClaimDefinition

LOCALES = ("ko", "en")


def claim_path(dotted: str) -> list[str | None]:
    """``members[].name`` → ``["members", None, "name"]`` (null selects every array element)."""
    path: list[str | None] = []
    for segment in dotted.split("."):
        path.append(segment.removesuffix(ELEMENT))
        path.extend([None] * segment.count(ELEMENT))
    return path


def claim_paths(type_def: CertificateType) -> Iterator[tuple[list[str | None], ClaimDefinition]]:
    for dotted, claim in walk(type_def.claims):
        yield claim_path(dotted), claim


def _labels(claim: ClaimDefinition, key: str) -> list[dict[str, str]]:
    return [{"locale": locale, key: getattr(claim.label, locale)} for locale in LOCALES]


def vct_type_metadata(type_def: CertificateType, vct: str) -> dict[str, Any]:
    """SD-JWT VC Type Metadata (draft-ietf-oauth-sd-jwt-vc §6) for one type."""
    return {
        "vct": vct,
        "name": type_def.name.en,
        "description": type_def.description.en,
        "display": [
            {
                "locale": locale,
                "name": getattr(type_def.name, locale),
                "description": getattr(type_def.description, locale),
            }
            for locale in LOCALES
        ],
        "claims": [
            {
                "path": path,
                "display": _labels(claim, "label"),
                "sd": "allowed" if claim.disclosable else "never",
                "mandatory": claim.required,
            }
            for path, claim in claim_paths(type_def)
        ],
    }
