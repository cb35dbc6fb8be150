"""Run a QR profile's checks in order and hand back a verdict that says why.

Claims are only in a result whose signature check passed: a valid result, or one refused
later for a reason that does not cast doubt on the content (``replayed``, ``superseded``:
the officer still needs to see what was declared). Nothing else carries claims.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from schemas.errors import WalletError
from schemas.qr_payload import decode_qr_text
from verifiers.check_runner import CheckStep, run_checks
from verifiers.qr.context import QrContext
from verifiers.result import CheckOutcome
from verifiers.qr.checks import QR_CHECKS
from verifiers.qr.profiles import DEFAULT_PROFILE_BY_FAMILY, QrProfile, get_qr_profile, profile_for_claims

#: refusals after which the verified content is still shown
CONTENT_SHOWN_ON = frozenset({"replayed", "superseded"})


@dataclass(frozen=True)
class QrVerdict:
    valid: bool
    code: str | None
    detail: str | None
    profile: str | None
    offline: bool
    checks: tuple[CheckOutcome, ...]
    type_id: str | None = None
    iss: str | None = None
    claims: dict[str, Any] | None = None
    presented_at: int | None = None
    expires_at: int | None = None
    issuer_part_digest: bytes | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def replayed(self) -> bool:
        return self.code == "replayed"

    def public(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "code": self.code,
            "detail": self.detail,
            "profile": self.profile,
            "offline": self.offline,
            "type_id": self.type_id,
            "issuer": self.iss,
            "claims": self.claims,
            "presented_at": self.presented_at,
            "expires_at": self.expires_at,
            "replayed": self.replayed,
            "first_scanned_at": self.facts.get("first_scanned_at"),
            "status_checked_at": self.facts.get("status_checked_at"),
            "checks": [c.public() for c in self.checks],
        }


def choose_profile(text: Any, profiles: dict[str, QrProfile], requested: str | None) -> QrProfile | None:
    """The named profile; else the family's default, or the mobile-ID profile the claims fit."""
    if requested is not None:
        return get_qr_profile(profiles, requested)
    try:
        unverified = decode_qr_text(text)
    except WalletError:
        return None  # the signature check will name what is wrong with it
    by_family = DEFAULT_PROFILE_BY_FAMILY.get(unverified.family)
    if by_family is not None:
        return profiles[by_family]
    return profile_for_claims(profiles, unverified.unverified_type.type_id, set(unverified.unverified_claims))


#: a desk that names no profile and whose QR fits none: only the signature is checked
SIGNATURE_ONLY = (CheckStep("signature"),)


def run_qr_profile(ctx: QrContext, profile: QrProfile | None) -> QrVerdict:
    run = run_checks(profile.steps if profile is not None else SIGNATURE_ONLY, QR_CHECKS, ctx)
    outcomes = run.outcomes
    if run.failure is not None:
        return _refused(ctx, profile, outcomes, run.failure)
    if profile is None:
        verified = ctx.need_verified()
        detail = f"no QR profile reads {verified.type_id} with claims {sorted(verified.claims)}; name one"
        return _verdict(ctx, None, outcomes, valid=False, code="profile_mismatch", detail=detail, content=False)
    return _verdict(ctx, profile, outcomes, valid=True, code=None, detail=None, content=True)


def _refused(ctx: QrContext, profile: QrProfile | None, outcomes: tuple[CheckOutcome, ...], exc: WalletError) -> QrVerdict:
    content = ctx.verified is not None and exc.code in CONTENT_SHOWN_ON
    return _verdict(ctx, profile, outcomes, valid=False, code=exc.code, detail=exc.detail, content=content)


def _verdict(
    ctx: QrContext, profile: QrProfile | None, outcomes: tuple[CheckOutcome, ...], *, valid: bool, code: str | None,
    detail: str | None, content: bool,
) -> QrVerdict:
    verified = ctx.verified if content else None
    return QrVerdict(
        valid=valid,
        code=code,
        detail=detail,
        profile=profile.name if profile is not None else None,
        offline=ctx.offline,
        checks=outcomes,
        type_id=verified.type_id if verified else None,
        iss=verified.iss if verified else None,
        claims=dict(verified.claims) if verified else None,
        presented_at=verified.presented_at if verified else None,
        expires_at=verified.expires_at if verified else None,
        issuer_part_digest=verified.issuer_part_digest if verified else None,
        facts=dict(ctx.facts),
    )
