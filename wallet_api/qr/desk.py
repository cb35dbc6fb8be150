"""The desk: a relying party's scanner posts a QR; it gets the verdict and what it may see.

Composes the verifier (``verifiers.qr``) with the customs side (``issuers.customs``): for a
declaration, the assessment (over allowance, duty, risk flags) is recomputed from the
verified claims, so an offline desk gets the same figures. The single-use mark and the
declaration's "cleared" flag are committed together, only for an accepted scan.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from issuers.customs.declarations import CustomsServices, assess_claims, find_by_issuer_part, mark_cleared
from verifiers.models import RelyingParty
from verifiers.qr.context import QrContext, QrServices
from verifiers.qr.pipeline import QrVerdict, choose_profile, run_qr_profile
from verifiers.qr.profiles import QrProfile
from verifiers.relying_parties import registration

CUSTOMS_TYPE = "customs_declaration"


def _visible(party: RelyingParty | None, verdict: QrVerdict) -> dict[str, Any] | None:
    """Only the claims the party registered for (a venue sees no more than it asked for)."""
    if verdict.claims is None or party is None:
        return verdict.claims
    return registration(party, verdict.type_id).visible(verdict.claims)


def verify_scanned(
    session: Session | None,
    *,
    text: Any,
    requested_profile: str | None,
    profiles: dict[str, QrProfile],
    services: QrServices,
    customs: CustomsServices,
    party: RelyingParty | None,
    now: int,
    consume: bool = True,
) -> dict[str, Any]:
    """``session`` None verifies offline (issuer keys and cached status lists only);
    ``consume`` False looks without passing (the single-use mark is rolled back)."""
    return verify_with_profile(
        session, text=text, profile=choose_profile(text, profiles, requested_profile), services=services,
        customs=customs, party=party, now=now, consume=consume,
    )


def needs_transaction(profile: QrProfile | None, party: RelyingParty | None) -> bool:
    """Whether a scan read with ``profile`` must run in one transaction, rather than with its
    single-use mark committed by itself (no BEGIN and COMMIT round trips):

    - a customs declaration is cleared in the same commit as its mark;
    - a party not registered for every type the profile reads may be refused the verified
      claims (403) after the mark is written, and then the mark must not stay.
    """
    if profile is None:
        return False  # only the signature check runs: nothing is written
    if CUSTOMS_TYPE in profile.types:
        return True
    return party is not None and any(type_id not in party.allowed for type_id in profile.types)


def verify_with_profile(
    session: Session | None,
    *,
    text: Any,
    profile: QrProfile | None,
    services: QrServices,
    customs: CustomsServices,
    party: RelyingParty | None,
    now: int,
    consume: bool = True,
) -> dict[str, Any]:
    """``verify_scanned`` with the profile already chosen (``choose_profile``)."""
    ctx = QrContext(text=text, services=services, now=now, relying_party_id=party.id if party else "", session=session)
    verdict = run_qr_profile(ctx, profile)
    answer = verdict.public()
    answer["claims"] = _visible(party, verdict)
    if verdict.type_id == CUSTOMS_TYPE and verdict.claims is not None:
        answer["customs"] = _customs_facts(session, verdict, customs)
    if session is not None:
        if verdict.valid and consume:
            _clear(session, verdict, now)
            session.commit()
        else:
            session.rollback()
    return answer


def _customs_facts(session: Session | None, verdict: QrVerdict, customs: CustomsServices) -> dict[str, Any]:
    facts = assess_claims(verdict.claims or {}, customs).public()
    if session is not None and verdict.issuer_part_digest is not None:
        found = find_by_issuer_part(session, digest=verdict.issuer_part_digest)
        if found is not None:
            facts["declaration_number"] = found.declaration.declaration_number
            facts["version"] = found.version.version
            facts["current_version"] = found.declaration.current_version
    return facts


def _clear(session: Session, verdict: QrVerdict, now: int) -> None:
    if verdict.type_id != CUSTOMS_TYPE or verdict.issuer_part_digest is None:
        return
    found = find_by_issuer_part(session, digest=verdict.issuer_part_digest)
    if found is not None:
        mark_cleared(session, declaration=found.declaration, now=datetime.fromtimestamp(now, UTC))
