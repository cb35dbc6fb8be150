"""status: the credential's entry in its issuer's Token Status List is VALID.

For our own issuer the entry is read from the database (the authority), so a revocation is
seen by the next verification on any worker; other issuers' lists are fetched and cached by
the checker (``verifiers.status_check``: signature, ``sub``, ``exp``, ``ttl``). This check
decides what a missing status means and records when the status used was produced.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schemas.errors import CredentialRevoked, CredentialSuspended, StatusUnavailable, VerificationError
from verifiers.context import VerificationContext
from verifiers.status_check import judge_status, parse_status_claim

ID = "status"

_STATUS_NAMES: dict[type[VerificationError], str] = {
    CredentialRevoked: "revoked",
    CredentialSuspended: "suspended",
}


def check(ctx: VerificationContext, options: Mapping[str, Any]) -> None:
    payload: dict[str, Any] = ctx.need("issuer_payload")
    claim = payload.get("status")
    if claim is None:
        if options.get("required", True):
            ctx.status = "unknown"
            raise StatusUnavailable("the credential carries no status reference")
        ctx.status = "not_applicable"
        return
    try:
        ctx.status_checked_at = _check(ctx, claim)
    except VerificationError as exc:
        ctx.status = _STATUS_NAMES.get(type(exc), "unknown")
        raise
    ctx.status = "valid"


def _check(ctx: VerificationContext, claim: Any) -> int:
    """When the status information used was produced (a refusal still records it)."""
    reference = parse_status_claim(claim)
    if ctx.own_status is not None:
        own = ctx.own_status(ctx.session, reference)
        if own is not None:
            ctx.status_checked_at = ctx.now
            return judge_status(own, reference, fetched_at=ctx.now, produced_at=ctx.now).produced_at
    if ctx.status_checker is None:
        raise StatusUnavailable("no status checker is configured")
    try:
        return ctx.status_checker.check(claim).produced_at
    finally:
        ctx.status_checked_at = ctx.status_checker.issued_at(reference.uri)
