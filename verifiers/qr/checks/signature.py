"""signature: decode (hardened) and verify offline: issuer key, device key from cnf, times.

The issuer keys may come from a cache: when none of them verifies the issuer part (a key
published since the cache was filled), verification is tried once more with freshly read
keys, so a cache never refuses a genuine QR.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schemas.errors import IssuerUntrusted, SignatureInvalid
from verifiers.qr.presentation_signatures import VerifiedQrPresentation, verify_qr_presentation
from verifiers.check_runner import CheckResult
from verifiers.qr.context import QrContext, QrServices

ID = "signature"


def verify_with_services(text: Any, services: QrServices, *, now: int, leeway_s: int = 5) -> VerifiedQrPresentation:
    """``verify_qr_presentation`` with the services' keys, re-reading the issuer keys on a miss."""
    try:
        return verify_qr_presentation(
            text, issuer_key_resolver=services.issuer_keys, device_key_from_jwk=services.device_key_from_jwk,
            now=now, leeway_s=leeway_s,
        )
    except (IssuerUntrusted, SignatureInvalid):
        if services.fresh_issuer_keys is None:
            raise
        return verify_qr_presentation(
            text, issuer_key_resolver=services.fresh_issuer_keys(), device_key_from_jwk=services.device_key_from_jwk,
            now=now, leeway_s=leeway_s,
        )


def check(ctx: QrContext, options: Mapping[str, Any]) -> CheckResult:
    ctx.verified = verify_with_services(ctx.text, ctx.services, now=ctx.now, leeway_s=int(options.get("leeway_s", 5)))
    return None
