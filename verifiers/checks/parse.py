"""parse: the presentation is an SD-JWT whose issuer JWT names an issuer and a type.

The one place the presentation is split and its issuer JWT parsed; later checks use this."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schemas.errors import Malformed
from verifiers.context import VerificationContext
from verifiers.sd_jwt_verifier import parse_presentation

ID = "parse"
#: far above any certificate (a household register with decoys is ~10 KB); bounds the work
MAX_PRESENTATION_CHARS = 256 * 1024


def check(ctx: VerificationContext, options: Mapping[str, Any]) -> None:
    limit = int(options.get("max_chars", MAX_PRESENTATION_CHARS))
    if not isinstance(ctx.presentation, str) or len(ctx.presentation) > limit:
        raise Malformed("the presentation is not a string of acceptable size")
    parsed = parse_presentation(ctx.presentation)
    payload = parsed.unverified_payload()
    for name in ("iss", "vct"):
        if not isinstance(payload.get(name), str) or not payload[name]:
            raise Malformed(f"the issuer-signed JWT has no {name}")
    ctx.parsed = parsed
    ctx.unverified_payload = payload
