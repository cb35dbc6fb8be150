"""single_use (online, last): the first accepted scan wins; later ones are ``replayed``.

What is single-use depends on the profile: ``issuer_part`` (a declaration version passes
the gate once, whichever fresh presentation the phone makes of it) or ``presentation``
(each mobile-ID QR is scanned once; the phone makes a new one every 30 s). Runs last so a
refused QR leaves no mark.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from schemas.errors import Replayed
from verifiers.check_runner import SKIPPED, CheckResult
from verifiers.qr.context import QrContext
from verifiers.qr.scan_marks import mark_scanned

ID = "single_use"


def check(ctx: QrContext, options: Mapping[str, Any]) -> CheckResult:
    if ctx.session is None:
        return SKIPPED
    verified = ctx.need_verified()
    if options.get("per") == "issuer_part":
        mark = verified.issuer_part_digest.hex()
        expires_at = ctx.now + int(options.get("retain_s", 3 * 86400))
    else:
        mark = hashlib.sha256(verified.jti + verified.issuer_part_digest).hexdigest()
        expires_at = verified.expires_at + 300
    first = mark_scanned(
        ctx.session, scope=str(options["scope"]), mark=mark, relying_party_id=ctx.relying_party_id, now=ctx.now,
        expires_at=expires_at,
    )
    if first is not None:
        ctx.facts["first_scanned_at"] = first
        raise Replayed("this QR was already scanned", first_scanned_at=first)
    return None
