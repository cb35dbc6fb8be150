"""Key proofs of type ``jwt`` (OpenID4VCI §F.1): ``openid4vci-proof+jwt`` signed by the
holder key carried in the header ``jwk``.

Stateless: the nonce is only read here; ``nonces.consume_nonce`` spends it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from issuers.oid4vci.errors import InvalidNonce, InvalidProof
from keys.errors import JWKInvalid, JWSError
from keys.jws import VerificationKey, parse_compact, verify_compact

PROOF_TYP = "openid4vci-proof+jwt"
PROOF_ALGS: tuple[str, ...] = ("ES256", "EdDSA")
#: header members naming a key some other way; we bind credentials to a bare jwk only
_OTHER_KEY_MEMBERS = frozenset({"kid", "x5c", "x5u", "jku", "trust_chain", "key_attestation"})


@dataclass(frozen=True)
class VerifiedProof:
    holder_jwk: dict[str, Any]
    nonce: str
    iat: int


def _header_jwk_key(header: dict[str, Any]) -> VerificationKey:
    jwk = header.get("jwk")
    if not isinstance(jwk, dict):
        raise JWKInvalid("the proof header must carry the holder key as jwk")
    return VerificationKey.from_jwk(jwk)


def verify_proof_jwt(
    proof: Any, *, audience: str, now: int, clock_skew_s: int, max_age_s: int
) -> VerifiedProof:
    """Check signature, typ, alg, aud and iat; return the holder key and the unspent nonce.

    ``max_age_s``: a proof older than a nonce can live is stale whatever nonce it carries.
    """
    if not isinstance(proof, str):
        raise InvalidProof("a jwt proof is a compact JWS string")
    try:
        parsed = parse_compact(proof)
        smuggled = _OTHER_KEY_MEMBERS & parsed.unverified_header.keys()
        if smuggled:
            raise InvalidProof(f"the holder key must be given as jwk only, not {sorted(smuggled)}")
        verified = verify_compact(parsed, _header_jwk_key, expected_typ=PROOF_TYP, allow_header_jwk=True)
    except (JWSError, JWKInvalid) as exc:
        raise InvalidProof(f"proof rejected: {exc}") from None
    payload = verified.payload
    aud = payload.get("aud")
    if not (aud == audience or (isinstance(aud, list) and audience in aud)):
        raise InvalidProof(f"proof aud must be the credential issuer {audience}")
    iat = payload.get("iat")
    if not isinstance(iat, int) or isinstance(iat, bool):
        raise InvalidProof("proof iat must be an integer")
    if iat > now + clock_skew_s:
        raise InvalidProof("proof iat is in the future")
    if iat < now - max_age_s - clock_skew_s:
        raise InvalidProof("proof is too old (iat)")
    exp = payload.get("exp")
    if exp is not None and (not isinstance(exp, int) or exp <= now - clock_skew_s):
        raise InvalidProof("proof has expired (exp)")
    nonce = payload.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise InvalidNonce("the proof carries no c_nonce; fetch one from the nonce endpoint")
    return VerifiedProof(holder_jwk=dict(verified.header["jwk"]), nonce=nonce, iat=iat)
