"""``POST /v1/verify``: a relying party verifies a presentation it received some other way
(email, upload), naming the nonce it expects.

The party sees only the claims it is registered for of that type, whatever the holder
disclosed: registration is the ceiling of what a party may learn, on every path. It is also
the floor of what is checked: a call may ask for a stricter profile, never a weaker one, and
the audience is the party's own client_id, so a presentation made for another party fails
``nonce_audience`` here and never spends that party's replay mark.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from schemas.errors import Forbidden
from verifiers.models import RelyingParty
from verifiers.pipeline import verify_presentation
from verifiers.profiles import profile_at_least
from verifiers.relying_parties import registration
from verifiers.verifier_services import VerifierServices


class AudienceNotOwn(Forbidden):
    """The caller named an audience that is not its own client_id."""

    code, title = "audience_not_own", "Audience is not the calling party"


def own_audience(relying_party: RelyingParty, audience: str | None) -> str:
    """The audience a party may verify for: its client_id (the only identifier it registers)."""
    if audience is not None and audience != relying_party.client_id:
        raise AudienceNotOwn("a party verifies presentations addressed to its own client_id only")
    return relying_party.client_id


def verify_for_relying_party(
    session: Session,
    *,
    relying_party: RelyingParty,
    presentation: str,
    nonce: str | None,
    audience: str | None,
    services: VerifierServices,
    now: int,
    profile: str | None = None,
) -> dict[str, Any]:
    chosen = profile_at_least(relying_party.profile, profile)
    audience = own_audience(relying_party, audience)
    result = verify_presentation(
        session,
        presentation=presentation,
        profile=chosen,
        trust=services.trust_for(session),
        status_checker=services.status_checker,
        nonce=nonce,
        audience=audience,
        now=now,
        registry=services.registry,
        own_status=services.own_status,
    )
    body = result.public()
    shown = registration(relying_party, result.type_id, required=False).visible(result.claims)
    body["claims"] = shown
    body["labels"] = {k: v for k, v in result.labels.items() if k.split(".", 1)[0].removesuffix("[]") in shown}
    body["withheld_claims"] = sorted(set(result.claims) - set(shown))
    return body
