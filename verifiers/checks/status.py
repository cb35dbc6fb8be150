"""status: the credential's entry in its issuer's Token Status List is VALID.

The list's own signature, ``sub``, ``exp`` and ``ttl`` are the checker's job
(``verifiers.status_check``); this check decides what a missing status means.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schemas.errors import CredentialRevoked, CredentialSuspended, StatusUnavailable, VerificationError
from verifiers.context import VerificationContext

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
    if ctx.status_checker is None:
        ctx.status = "unknown"
        raise StatusUnavailable("no status checker is configured")
    try:
        ctx.status_checker.check(claim)
    except VerificationError as exc:
        ctx.status = _STATUS_NAMES.get(type(exc), "unknown")
        raise
    ctx.status = "valid"
