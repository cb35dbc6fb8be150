"""The bank counter: a request template becomes an OpenID4VP request of the signed-in party."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from schemas.errors import NotFound
from schemas.registry import TypeRegistry
from verifiers.oid4vp.presentation_requests import create_presentation_request
from verifiers.verifier_services import VerifierServices
from wallet_api.console.request_templates import RequestTemplate
from wallet_api.console.sessions import StaffSession


def offered_templates(staff: StaffSession, templates: dict[str, RequestTemplate]) -> list[RequestTemplate]:
    """The templates within the party's registration (the verifier would refuse the others)."""
    return [t for t in templates.values() if t.allowed_for(staff.party)]


def start_request(
    session: Session,
    *,
    staff: StaffSession,
    template_id: str,
    templates: dict[str, RequestTemplate],
    services: VerifierServices,
    registry: TypeRegistry,
    lang: str,
    now: int,
) -> dict[str, Any]:
    template = templates.get(template_id)
    if template is None or not template.allowed_for(staff.party):
        raise NotFound("no such request template for this relying party")
    created = create_presentation_request(
        session,
        relying_party=staff.party,
        dcql_query=template.dcql_query(issuer_id=services.base_url, registry=registry),
        purpose=template.purpose.get(lang) or template.purpose["ko"],
        services=services,
        now=now,
    )
    return {
        "id": created.id,
        "template": template.id,
        "expires_at": created.expires_at,
        "qr_svg": f"/console/api/presentation-requests/{created.id}/qr.svg",
    }


def template_config(templates: list[RequestTemplate]) -> dict[str, Any]:
    """What the bank page's script needs: per template, its credential queries and their types."""
    return {t.id: [{"id": c.id, "type_id": c.type_id} for c in t.credentials] for t in templates}


def type_names(registry: TypeRegistry) -> dict[str, dict[str, Any]]:
    """Public facts of every type (names, agency) for the result cards' headings."""
    return {t.id: {"name": t.name.model_dump(), "agency": {"ko": t.agency.ko, "en": t.agency.en}} for t in registry}


def claim_labels(registry: TypeRegistry, type_ids: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """Per type, definition path → {ko, en}: the labels a desk puts beside a QR's claims."""
    return {
        type_id: {path: {"ko": c.label.ko, "en": c.label.en} for path, c in registry.get(type_id).iter_claims()}
        for type_id in type_ids
        if type_id in registry
    }
