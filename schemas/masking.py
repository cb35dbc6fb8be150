"""Masked views of claims for screens and logs.

A resident registration number is shown as ``YYMMDD-G******`` (birth date and sex digit stay
readable, as on paper certificates issued without the full number); any other sensitive
claim is hidden entirely. The full value only leaves the wallet when a relying party asks for
it and the holder consents, which is not this module's business.
"""

from __future__ import annotations

import re
from typing import Any

from schemas.claim_formats import RRN
from schemas.type_models import CertificateType, ClaimDefinition

HIDDEN = "••••"

_RRN_PARTS = re.compile(r"^(\d{6})-?(\d)(\d{6})$")


def mask_rrn(rrn: str) -> str:
    """``900101-1234567`` (or ``9001011234567``) → ``900101-1******``; ValueError otherwise."""
    match = _RRN_PARTS.match(rrn.strip())
    if match is None:
        raise ValueError("not a resident registration number")
    birth, sex_digit, _serial = match.groups()
    return f"{birth}-{sex_digit}******"


def masked_display(type_def: CertificateType, claims: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``claims`` with every sensitive claim masked, nested ones included.

    Keys the type does not define (e.g. registered JWT claims such as ``iss``) are copied as
    they are: the type file is the only source of what is sensitive.
    """
    return _mask_object(type_def.claims, claims)


def _mask_object(definitions: list[ClaimDefinition], values: dict[str, Any]) -> dict[str, Any]:
    by_name = {d.name: d for d in definitions}
    result: dict[str, Any] = {}
    for key, value in values.items():
        definition = by_name.get(key)
        result[key] = value if definition is None else _mask_value(definition, value)
    return result


def _mask_value(definition: ClaimDefinition, value: Any) -> Any:
    if value is None:
        return None
    if definition.sensitive:
        return _mask_sensitive(definition, value)
    if definition.type == "object" and isinstance(value, dict):
        return _mask_object(definition.properties or [], value)
    if definition.type == "array" and isinstance(value, list) and definition.items is not None:
        return [_mask_value(definition.items, element) for element in value]
    return value


def _mask_sensitive(definition: ClaimDefinition, value: Any) -> Any:
    if definition.format == RRN and isinstance(value, str):
        try:
            return mask_rrn(value)
        except ValueError:
            # a malformed number is still someone's number: hide it all rather than guess
            return HIDDEN
    return HIDDEN
