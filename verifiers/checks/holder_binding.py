"""holder_binding: a KB-JWT signed by the credential's ``cnf.jwk``, over this exact
presentation (``sd_hash``), issued recently."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schemas.errors import HolderBindingFailed
from verifiers.context import VerificationContext
from verifiers.sd_jwt_verifier import VerifiedSdJwt

ID = "holder_binding"
DEFAULT_MAX_AGE_S = 300
DEFAULT_LEEWAY_S = 60


def check(ctx: VerificationContext, options: Mapping[str, Any]) -> None:
    verified: VerifiedSdJwt = ctx.need("verified")
    if ctx.presentation_error is not None:
        raise ctx.presentation_error
    kb = verified.kb_payload
    if kb is None:
        if options.get("required", True):
            raise HolderBindingFailed("key binding is required and the presentation has no KB-JWT")
        return
    iat = kb["iat"]  # verify_sd_jwt already refused a missing or non-integer iat
    if iat < ctx.now - int(options.get("max_age_s", DEFAULT_MAX_AGE_S)):
        raise HolderBindingFailed("the KB-JWT is too old")
    if iat > ctx.now + int(options.get("leeway_s", DEFAULT_LEEWAY_S)):
        raise HolderBindingFailed("the KB-JWT is issued in the future")
