"""typ: the issuer JWT says it is an SD-JWT VC (``dc+sd-jwt``), not some other JWT."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from keys.jws import UnverifiedJWS
from schemas.errors import TypeMismatch
from verifiers.context import VerificationContext

ID = "typ"
SD_JWT_VC_TYP = "dc+sd-jwt"


def expected_typ(options: Mapping[str, Any]) -> str:
    return str(options.get("typ", SD_JWT_VC_TYP))


def check(ctx: VerificationContext, options: Mapping[str, Any]) -> None:
    jws: UnverifiedJWS = ctx.need("unverified_jws")
    typ = jws.unverified_header.get("typ")
    if typ != expected_typ(options):
        raise TypeMismatch(f"issuer-signed JWT typ is {typ!r}, expected {expected_typ(options)!r}")
