"""required_claims: the claims a profile cannot do without were disclosed.

Options: ``claims``, a list of claim paths (``["name"]``, ``["address", "locality"]``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schemas.errors import ClaimsMissing
from verifiers.claim_selection import has_path
from verifiers.context import VerificationContext
from verifiers.sd_jwt_verifier import Disclosed

ID = "required_claims"


def check(ctx: VerificationContext, options: Mapping[str, Any]) -> None:
    disclosed: Disclosed = ctx.need("disclosed")
    missing = [list(p) for p in options.get("claims", ()) if not has_path(disclosed.claims, tuple(p))]
    if missing:
        raise ClaimsMissing(f"not disclosed: {missing}", missing=missing)
