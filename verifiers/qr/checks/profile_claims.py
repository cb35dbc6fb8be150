"""profile_claims: the QR shows exactly the claims of the profile (no more, no fewer).

Fewer cannot answer the officer's question; more would hand a venue what it has no business
seeing (an adult check shows no name).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from verifiers.check_runner import CheckResult
from verifiers.qr.context import QrContext
from verifiers.qr.errors import ProfileMismatch

ID = "profile_claims"


def check(ctx: QrContext, options: Mapping[str, Any]) -> CheckResult:
    expected = set(options["claims"])
    shown = set(ctx.need_verified().claims)
    if options.get("exact", True) and shown != expected:
        raise ProfileMismatch(f"expected claims {sorted(expected)}, the QR shows {sorted(shown)}")
    if not expected <= shown:
        raise ProfileMismatch(f"missing claims {sorted(expected - shown)}")
    return None
