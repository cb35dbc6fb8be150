"""holder_binding: a KB-JWT signed by the credential's ``cnf.jwk``, over this exact
presentation (``sd_hash``), issued recently."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schemas.errors import HolderBindingFailed
from verifiers.context import VerificationContext
from verifiers.sd_jwt_verifier import ParsedPresentation, check_kb_freshness, verify_key_binding

ID = "holder_binding"
DEFAULT_MAX_AGE_S = 300
DEFAULT_LEEWAY_S = 60


def check(ctx: VerificationContext, options: Mapping[str, Any]) -> None:
    parsed: ParsedPresentation = ctx.need("parsed")
    binding = verify_key_binding(parsed, ctx.need("issuer_payload"))
    ctx.key_binding_checked = True
    if binding is None:
        if options.get("required", True):
            raise HolderBindingFailed("key binding is required and the presentation has no KB-JWT")
        return
    check_kb_freshness(
        binding,
        now=ctx.now,
        max_age_s=int(options.get("max_age_s", DEFAULT_MAX_AGE_S)),
        leeway_s=int(options.get("leeway_s", DEFAULT_LEEWAY_S)),
    )
    ctx.key_binding = binding
