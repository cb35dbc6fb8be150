"""credential_status: the credential's Token Status List entry is VALID.

Online the list is fetched (or taken from the cache while fresh); offline any cached,
unexpired copy is used. No copy offline is ``status_unavailable``: a desk that cannot learn
the status must not assume VALID.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schemas.errors import StatusUnavailable
from verifiers.check_runner import SKIPPED, CheckResult
from verifiers.qr.context import QrContext
from verifiers.status_check import StatusReference, judge_status

ID = "credential_status"


def check(ctx: QrContext, options: Mapping[str, Any]) -> CheckResult:
    verified = ctx.need_verified()
    if verified.status is None:
        if options.get("required", True):
            raise StatusUnavailable("the QR carries no status reference")
        return SKIPPED
    checker, to_uri = ctx.services.status_checker, ctx.services.status_uri
    uri = to_uri(verified.iss, verified.status.list_id) if to_uri is not None else None
    if checker is None or uri is None:
        raise StatusUnavailable(f"no status list is known for issuer {verified.iss!r}")
    reference = StatusReference(uri=uri, idx=verified.status.idx)
    own = ctx.services.own_status
    found = own(ctx.session, reference) if own is not None and ctx.session is not None else None
    try:
        if found is not None:
            result = judge_status(found, reference, fetched_at=ctx.now, produced_at=ctx.now)
        else:
            result = checker.check({"status_list": {"idx": reference.idx, "uri": uri}}, offline=ctx.offline)
    finally:
        ctx.facts["status_checked_at"] = ctx.now if found is not None else checker.issued_at(uri)
    ctx.facts["status"] = {"uri": result.list_uri, "idx": result.idx, "fetched_at": result.fetched_at}
    return None
