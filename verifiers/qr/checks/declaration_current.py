"""declaration_current (online): this is the declaration's latest version, not an amended one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from verifiers.check_runner import SKIPPED, CheckResult
from verifiers.qr.context import QrContext
from verifiers.qr.errors import Superseded, UnknownDeclaration

ID = "declaration_current"


def check(ctx: QrContext, options: Mapping[str, Any]) -> CheckResult:
    lookup = ctx.services.declaration_state
    if ctx.session is None or lookup is None:
        return SKIPPED
    state = lookup(ctx.session, ctx.need_verified().issuer_part_digest)
    if state == "superseded":
        raise Superseded("the traveller amended this declaration; scan the new QR")
    if state != "current":
        raise UnknownDeclaration("no declaration on record has this QR")
    return None
