"""disclosures: every disclosure is referenced exactly once by a digest the issuer signed.

Runs ``verify_sd_jwt`` over the whole presentation once, with no nonce, audience or age
expectations: those belong to the key-binding checks, which read the outcome from the
context. When that run fails and a KB-JWT is present, the presentation is re-checked
without it to tell a bad disclosure from a bad KB-JWT, so each is reported by its own check.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from keys.jws import VerificationKey, VerifiedJWS
from keys.sd_jwt import SdJwtParts
from schemas.errors import DisclosureInvalid, VerificationError
from verifiers.checks.typ import expected_typ
from verifiers.context import VerificationContext
from verifiers.sd_jwt_verifier import VerifiedSdJwt, verify_sd_jwt

ID = "disclosures"
#: key-binding freshness is judged by holder_binding with the profile's own bounds
_UNBOUNDED_S = 10**11


def _verify(presentation: str, key: VerificationKey, typ: str, now: int, issuer_jws: VerifiedJWS | None) -> VerifiedSdJwt:
    return verify_sd_jwt(
        presentation,
        issuer_key=key,
        expected_typ=typ,
        require_key_binding=False,
        expected_nonce=None,
        expected_aud=None,
        now=now,
        max_kb_age_s=_UNBOUNDED_S,
        leeway_s=_UNBOUNDED_S,
        # the signature check verified these bytes with this key: not verified a second time
        verified_issuer_jwt=issuer_jws,
    )


def check(ctx: VerificationContext, options: Mapping[str, Any]) -> None:
    key: VerificationKey = ctx.need("issuer_key")
    parts: SdJwtParts = ctx.need("parts")
    typ = expected_typ(options)
    try:
        ctx.verified = _verify(ctx.presentation, key, typ, ctx.now, ctx.issuer_jws)
        return
    except DisclosureInvalid:
        raise
    except VerificationError as exc:
        if parts.kb_jwt is None:
            raise
        # the slice as received: the same bytes the KB-JWT's sd_hash was meant to cover
        without_kb = ctx.presentation[: len(ctx.presentation) - len(parts.kb_jwt)]
        ctx.verified = _verify(without_kb, key, typ, ctx.now, ctx.issuer_jws)
        ctx.presentation_error = exc
