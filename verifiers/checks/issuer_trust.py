"""issuer_trust: the ``iss`` is on the trust list, for this ``vct``.

Runs on the unverified payload on purpose: it only chooses which keys the signature check
may accept, and the signature check then proves these same bytes came from that issuer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from verifiers.context import VerificationContext

ID = "issuer_trust"


def check(ctx: VerificationContext, options: Mapping[str, Any]) -> None:
    payload: dict[str, Any] = ctx.need("unverified_payload")
    issuer = ctx.trust.issuer(payload["iss"])
    ctx.type_id = issuer.type_for(payload["vct"])
    ctx.issuer = issuer
