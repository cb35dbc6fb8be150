"""typ: the issuer JWT says it is an SD-JWT VC (``dc+sd-jwt``), not some other JWT."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from verifiers.context import VerificationContext
from verifiers.sd_jwt_verifier import DEFAULT_TYP, ParsedPresentation, check_typ

ID = "typ"
SD_JWT_VC_TYP = DEFAULT_TYP


def expected_typ(options: Mapping[str, Any]) -> str:
    return str(options.get("typ", SD_JWT_VC_TYP))


def check(ctx: VerificationContext, options: Mapping[str, Any]) -> None:
    parsed: ParsedPresentation = ctx.need("parsed")
    check_typ(parsed, expected_typ(options))
