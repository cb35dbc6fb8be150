"""signature: the issuer JWT is signed by a key the trusted issuer published for that kid.

The algorithm comes from the key, never from the header; ``none``, HMAC and keys carried in
the header (``jwk``, ``jku``, ``x5u``, ``x5c``) are refused before any key is looked up.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schemas.errors import SignatureInvalid
from verifiers.context import VerificationContext
from verifiers.sd_jwt_verifier import ParsedPresentation, check_issuer_header, verify_issuer_signature
from verifiers.trust import TrustedIssuer

ID = "signature"


def check(ctx: VerificationContext, options: Mapping[str, Any]) -> None:
    parsed: ParsedPresentation = ctx.need("parsed")
    issuer: TrustedIssuer = ctx.need("issuer")
    alg = check_issuer_header(parsed)
    kid = parsed.issuer_jws.unverified_header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise SignatureInvalid("kid is not a string")
    key = issuer.key(kid)
    ctx.issuer_payload = verify_issuer_signature(parsed, key, alg)
    ctx.issuer_key = key
