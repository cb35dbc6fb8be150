"""parse: the presentation is an SD-JWT whose issuer JWT names an issuer and a type."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from keys.errors import JWSMalformed
from keys.jws import parse_compact
from keys.sd_jwt import split_sd_jwt
from schemas.errors import Malformed
from verifiers.context import VerificationContext

ID = "parse"
#: far above any certificate (a household register with decoys is ~10 KB); bounds the work
MAX_PRESENTATION_CHARS = 256 * 1024


def check(ctx: VerificationContext, options: Mapping[str, Any]) -> None:
    limit = int(options.get("max_chars", MAX_PRESENTATION_CHARS))
    if not isinstance(ctx.presentation, str) or len(ctx.presentation) > limit:
        raise Malformed("the presentation is not a string of acceptable size")
    try:
        parts = split_sd_jwt(ctx.presentation)
        jws = parse_compact(parts.issuer_jwt)
        payload = jws.unverified_claims()
    except JWSMalformed as exc:  # SdJwtMalformed is one
        raise Malformed(str(exc)) from None
    for name in ("iss", "vct"):
        if not isinstance(payload.get(name), str) or not payload[name]:
            raise Malformed(f"the issuer-signed JWT has no {name}")
    ctx.parts = parts
    ctx.unverified_jws = jws
    ctx.unverified_payload = payload
