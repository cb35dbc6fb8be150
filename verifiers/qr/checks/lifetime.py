"""lifetime: the QR's type is one this profile reads, and it lives no longer than allowed.

The format allows up to 15 minutes; a mobile ID at a venue should change every 30 s, so the
profile, not the phone, decides how long a screenshot may stay useful.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from verifiers.check_runner import CheckResult
from verifiers.qr.context import QrContext
from verifiers.qr.errors import LifetimeTooLong, ProfileMismatch

ID = "lifetime"


def check(ctx: QrContext, options: Mapping[str, Any]) -> CheckResult:
    verified = ctx.need_verified()
    types = options.get("types")
    if types is not None and verified.type_id not in types:
        raise ProfileMismatch(f"this profile reads {sorted(types)}, not {verified.type_id}")
    max_ttl = int(options["max_ttl_s"])
    if verified.expires_at - verified.presented_at > max_ttl:
        raise LifetimeTooLong(f"the QR is valid for {verified.expires_at - verified.presented_at} s; at most {max_ttl} s")
    return None
