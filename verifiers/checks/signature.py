"""signature: the issuer JWT is signed by a key the trusted issuer published for that kid.

The algorithm comes from the key, never from the header; ``none``, HMAC and keys carried in
the header (``jwk``, ``jku``, ``x5u``, ``x5c``) are refused before any maths runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from keys.errors import JWSError, JWSMalformed
from keys.jws import UnverifiedJWS, check_header, verify_compact
from schemas.errors import Malformed, SignatureInvalid
from verifiers.context import VerificationContext
from verifiers.trust import TrustedIssuer

ID = "signature"


def check(ctx: VerificationContext, options: Mapping[str, Any]) -> None:
    jws: UnverifiedJWS = ctx.need("unverified_jws")
    issuer: TrustedIssuer = ctx.need("issuer")
    header = jws.unverified_header
    try:
        check_header(header)
    except JWSMalformed as exc:
        raise Malformed(f"issuer-signed JWT header: {exc}") from None
    except JWSError as exc:
        raise SignatureInvalid(str(exc)) from None
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise SignatureInvalid("kid is not a string")
    key = issuer.key(kid)
    try:
        verified = verify_compact(jws, key)
    except JWSMalformed as exc:
        raise Malformed(f"issuer-signed JWT: {exc}") from None
    except JWSError as exc:
        raise SignatureInvalid(str(exc)) from None
    ctx.issuer_key = key
    ctx.issuer_payload = verified.payload
    ctx.issuer_jws = verified
