"""``POST /v1/verify``: a relying party verifies a presentation it received some other way
(email, upload), naming the nonce and audience it expects.

The party sees only the claims it is registered for of that type, whatever the holder
disclosed: registration is the ceiling of what a party may learn, on every path.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from schemas.errors import InvalidInput
from verifiers.claim_selection import restrict
from verifiers.models import RelyingParty
from verifiers.pipeline import verify_presentation
from verifiers.profiles import PROFILES
from verifiers.relying_parties import allowed_paths
from verifiers.verifier_services import VerifierServices


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
    chosen = PROFILES.get(profile or relying_party.profile)
    if chosen is None:
        raise InvalidInput(f"unknown profile {profile!r}; one of {sorted(PROFILES)}")
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
    )
    body = result.public()
    shown = restrict(result.claims, allowed_paths(relying_party, result.type_id))
    body["claims"] = shown
    body["labels"] = {k: v for k, v in result.labels.items() if k.split(".", 1)[0].removesuffix("[]") in shown}
    body["withheld_claims"] = sorted(set(result.claims) - set(shown))
    return body
