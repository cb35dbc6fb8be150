"""validity: now is inside [nbf/iat, exp) give or take a bounded clock skew."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schemas.errors import CredentialExpired, Malformed, NotYetValid
from verifiers.context import VerificationContext

ID = "validity"
DEFAULT_LEEWAY_S = 60
#: the skew a profile may allow at most: beyond this "leeway" means "no expiry check"
MAX_LEEWAY_S = 300


def _time(payload: dict[str, Any], name: str) -> int | None:
    value = payload.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Malformed(f"{name} must be an integer NumericDate")
    return value


def check(ctx: VerificationContext, options: Mapping[str, Any]) -> None:
    payload: dict[str, Any] = ctx.need("issuer_payload")
    leeway = min(int(options.get("leeway_s", DEFAULT_LEEWAY_S)), MAX_LEEWAY_S)
    exp = _time(payload, "exp")
    if exp is None:
        if options.get("require_exp", True):
            raise Malformed("the credential has no exp")
    elif ctx.now - leeway >= exp:
        raise CredentialExpired(f"expired at {exp}")
    for name in ("nbf", "iat"):
        start = _time(payload, name)
        if start is not None and ctx.now + leeway < start:
            raise NotYetValid(f"{name} {start} is in the future")
