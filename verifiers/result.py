"""What a verification hands back: a verdict, why, and every check that ran.

Claims are reachable only from a result whose checks all ran; a failed result carries no
claims at all, so an unverified value cannot leak into a relying party's decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from keys.sd_jwt import ClaimPath


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """One check that ran, SD-JWT or QR: passed, skipped (it did not apply), or failed with a
    stable code."""

    id: str
    passed: bool
    code: str | None = None
    detail: str | None = None
    skipped: bool = False

    def public(self) -> dict[str, Any]:
        """The one ``checks[]`` item shape of every verification answer."""
        return {"id": self.id, "passed": self.passed, "code": self.code, "skipped": self.skipped}


@dataclass(frozen=True, slots=True)
class VerificationResult:
    valid: bool
    code: str | None
    detail: str | None
    issuer: str | None
    vct: str | None
    type_id: str | None
    claims: dict[str, Any]
    labels: dict[str, dict[str, str]]
    validity: dict[str, int | None]
    status: str | None
    checks: tuple[CheckOutcome, ...]
    disclosed_paths: frozenset[ClaimPath] = field(default_factory=frozenset)
    #: when the status information used was produced (epoch seconds): the database read for
    #: our own issuer, the list token's iat for others; None when no status was read
    status_checked_at: int | None = None

    def public(self) -> dict[str, Any]:
        """The wire shape of ``POST /v1/verify`` and of each credential query's result."""
        return {
            "valid": self.valid,
            "code": self.code,
            "detail": self.detail,
            "issuer": self.issuer,
            "vct": self.vct,
            "type_id": self.type_id,
            "claims": self.claims,
            "labels": self.labels,
            "validity": self.validity,
            "status": self.status,
            "status_checked_at": self.status_checked_at,
            "checks": [c.public() for c in self.checks],
        }
