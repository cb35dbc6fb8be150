"""signature: decode (hardened) and verify offline: issuer key, device key from cnf, times."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schemas.qr_payload import verify_qr_presentation
from verifiers.qr.context import QrContext

ID = "signature"


def check(ctx: QrContext, options: Mapping[str, Any]) -> str:
    ctx.verified = verify_qr_presentation(
        ctx.text,
        issuer_key_resolver=ctx.services.issuer_keys,
        device_key_from_jwk=ctx.services.device_key_from_jwk,
        now=ctx.now,
        leeway_s=int(options.get("leeway_s", 5)),
    )
    return "passed"
