"""verify_presentation: run a profile's checks in order and say what happened.

Never raises for a presentation it could judge: every refusal (``WalletError``) a check
raises becomes a result
with ``valid: false`` and the failing check's code. The first failure stops the run (later
checks would read what the failed one did not establish). A valid verdict is committed
with its replay mark (and whatever the caller had pending); a rejection writes nothing.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from schemas.errors import InvalidInput
from schemas.registry import TypeRegistry
from verifiers.check_runner import run_checks
from verifiers.checks import CHECKS
from verifiers.context import VerificationContext
from verifiers.display_labels import labels_for
from verifiers.profiles import Profile
from verifiers.result import VerificationResult
from verifiers.status_check import OwnStatusReader, StatusListChecker
from verifiers.trust import TrustList

#: registered JWT / SD-JWT VC claims: facts about the credential, not claims about the person
REGISTERED_CLAIMS = frozenset({"iss", "sub", "iat", "nbf", "exp", "jti", "vct", "vct#integrity", "cnf", "status"})


class ChallengeMissing(InvalidInput):
    """The profile checks nonce and audience but the caller gave none: a caller error."""


def _validity(payload: dict[str, Any] | None) -> dict[str, int | None]:
    payload = payload or {}
    return {name: payload.get(name) if isinstance(payload.get(name), int) else None for name in ("iat", "exp")}


def verify_presentation(
    session: Session,
    *,
    presentation: str,
    profile: Profile,
    trust: TrustList,
    status_checker: StatusListChecker | None,
    nonce: str | None,
    audience: str | None,
    now: int,
    registry: TypeRegistry | None = None,
    own_status: OwnStatusReader | None = None,
) -> VerificationResult:
    if profile.needs_challenge and (not nonce or not audience):
        raise ChallengeMissing("this profile checks the KB-JWT's nonce and aud: give both")
    ctx = VerificationContext(
        session=session,
        presentation=presentation,
        trust=trust,
        status_checker=status_checker,
        nonce=nonce,
        audience=audience,
        now=now,
        own_status=own_status,
    )
    try:
        run = run_checks(profile.steps, CHECKS, ctx)
        outcomes, failure = run.outcomes, run.failure
        if failure is None:
            session.commit()  # the replay mark: durable before anyone is told "valid"
        # a failure wrote nothing (replay runs last), and the caller's own work is left alone
    except BaseException:
        session.rollback()
        raise

    payload = ctx.issuer_payload or ctx.unverified_payload or {}
    if failure is not None or ctx.disclosed is None or ctx.issuer_payload is None:
        return VerificationResult(
            valid=False,
            code=failure.code if failure else "verification_failed",
            detail=failure.detail if failure else "the profile never verified the disclosures",
            issuer=payload.get("iss") if isinstance(payload.get("iss"), str) else None,
            vct=payload.get("vct") if isinstance(payload.get("vct"), str) else None,
            type_id=ctx.type_id,
            claims={},
            labels={},
            validity=_validity(ctx.issuer_payload),
            status=ctx.status,
            status_checked_at=ctx.status_checked_at,
            checks=outcomes,
        )
    disclosed, signed = ctx.disclosed, ctx.issuer_payload
    claims = {k: v for k, v in disclosed.claims.items() if k not in REGISTERED_CLAIMS}
    return VerificationResult(
        valid=True,
        code=None,
        detail=None,
        issuer=signed["iss"],
        vct=signed["vct"],
        type_id=ctx.type_id,
        claims=claims,
        labels=labels_for(registry, ctx.type_id, claims),
        validity=_validity(signed),
        status=ctx.status,
        status_checked_at=ctx.status_checked_at,
        checks=outcomes,
        disclosed_paths=disclosed.paths,
    )
