"""device_state (online): the device whose key signed the QR has not been reported lost.

Device revocation also revokes the issuer's credentials bound to that key (so the status
check catches it, offline too once the list is refreshed); this check asks the wallet
directly, so the very next scan after the report fails.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from verifiers.qr.context import QrContext
from schemas.errors import DeviceRevoked

ID = "device_state"


def check(ctx: QrContext, options: Mapping[str, Any]) -> str:
    lookup = ctx.services.device_state
    if ctx.session is None or lookup is None:
        return "skipped"
    state = lookup(ctx.session, ctx.need_verified().holder_jwk)
    if state == "revoked":
        raise DeviceRevoked("the device that made this QR was reported lost")
    return "passed"
