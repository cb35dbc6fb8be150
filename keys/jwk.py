"""JWK conversion and RFC 7638 thumbprints for the two key types we accept.

Only EC P-256 (ES256) and Ed25519 (EdDSA) exist here: the allow-list is the key type.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from keys.b64 import b64url_decode, b64url_encode
from keys.errors import JWKInvalid

PublicKey = ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey
PrivateKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey

#: the one algorithm each key type may be used with
ALG_FOR_KTY_CRV: dict[tuple[str, str], str] = {("EC", "P-256"): "ES256", ("OKP", "Ed25519"): "EdDSA"}
_P256 = ec.SECP256R1()


def public_jwk(key: PublicKey | PrivateKey) -> dict[str, str]:
    """The public JWK (never a private member) of a key."""
    if isinstance(key, (ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey)):
        key = key.public_key()
    if isinstance(key, ec.EllipticCurvePublicKey):
        if not isinstance(key.curve, ec.SECP256R1):
            raise JWKInvalid("only P-256 EC keys are supported")
        numbers = key.public_numbers()
        return {
            "kty": "EC",
            "crv": "P-256",
            "x": b64url_encode(numbers.x.to_bytes(32, "big")),
            "y": b64url_encode(numbers.y.to_bytes(32, "big")),
        }
    if isinstance(key, ed25519.Ed25519PublicKey):
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)}
    raise JWKInvalid("unsupported key type")


def thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url) over the required members only."""
    kty = jwk.get("kty")
    if kty == "EC":
        members = {k: jwk[k] for k in ("crv", "kty", "x", "y")}
    elif kty == "OKP":
        members = {k: jwk[k] for k in ("crv", "kty", "x")}
    else:
        raise JWKInvalid(f"unsupported kty {kty!r}")
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
    return b64url_encode(hashlib.sha256(canonical).digest())


def alg_for_jwk(jwk: dict[str, Any]) -> str:
    try:
        return ALG_FOR_KTY_CRV[(jwk.get("kty"), jwk.get("crv"))]  # type: ignore[index]
    except KeyError:
        raise JWKInvalid("only EC P-256 and OKP Ed25519 keys are accepted") from None


def public_key_from_jwk(jwk: Any) -> PublicKey:
    """Parse a public JWK; refuses private members, unknown curves and points off the curve."""
    if not isinstance(jwk, dict):
        raise JWKInvalid("jwk must be an object")
    if "d" in jwk:
        raise JWKInvalid("a private key was supplied where a public key belongs")
    alg = alg_for_jwk(jwk)
    if "alg" in jwk and jwk["alg"] != alg:
        raise JWKInvalid("jwk alg does not match its key type")
    try:
        if alg == "ES256":
            x = b64url_decode(jwk["x"])
            y = b64url_decode(jwk["y"])
            if len(x) != 32 or len(y) != 32:
                raise JWKInvalid("bad P-256 coordinate length")
            # the uncompressed SEC1 point: OpenSSL refuses coordinates off the curve or out of
            # the field as the public-numbers route does, without the round trip through ints
            return ec.EllipticCurvePublicKey.from_encoded_point(_P256, b"\x04" + x + y)
        x = b64url_decode(jwk["x"])
        if len(x) != 32:
            raise JWKInvalid("bad Ed25519 key length")
        return ed25519.Ed25519PublicKey.from_public_bytes(x)
    except JWKInvalid:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise JWKInvalid(f"invalid jwk: {exc}") from None
