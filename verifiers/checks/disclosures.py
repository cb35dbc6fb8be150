"""disclosures: every disclosure is referenced exactly once by a digest the issuer signed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from verifiers.context import VerificationContext
from verifiers.sd_jwt_verifier import ParsedPresentation, unblind_disclosures

ID = "disclosures"


def check(ctx: VerificationContext, options: Mapping[str, Any]) -> None:
    parsed: ParsedPresentation = ctx.need("parsed")
    ctx.disclosed = unblind_disclosures(parsed, ctx.need("issuer_payload"))
