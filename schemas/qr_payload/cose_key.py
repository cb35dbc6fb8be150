"""The holder's device key as a compact COSE_Key (RFC 9052 §7, RFC 9053) and back to a JWK.

The key sits in the issuer-signed ``cnf``, so its bytes count against the QR budget: a P-256
key travels as a compressed point (x plus a sign bit, 33 bytes instead of 64), Ed25519 as its
32 raw bytes. Decompressing uses cryptography's point decoding (public values only; it refuses
an x with no point on the curve), which is several times faster than the square root in Python.
"""

from __future__ import annotations

import base64
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from schemas.qr_errors import QrMalformed

KTY, CRV, X, Y = 1, -1, -2, -3
KTY_OKP, KTY_EC2 = 1, 2
CRV_P256, CRV_ED25519 = 1, 6


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64url(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("JWK member must be a string")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def cose_key_from_jwk(jwk: dict[str, Any]) -> dict[int, Any]:
    """Compact COSE_Key for a public EC P-256 or Ed25519 JWK (private members refused)."""
    if "d" in jwk:
        raise ValueError("a private JWK was given where the device's public key belongs")
    if jwk.get("kty") == "EC" and jwk.get("crv") == "P-256":
        x, y = _unb64url(jwk["x"]), _unb64url(jwk["y"])
        if len(x) != 32 or len(y) != 32:
            raise ValueError("bad P-256 coordinate length")
        # RFC 9053 §7.1.1 lets y be the sign bit; true means odd y (SEC1 prefix 0x03)
        return {KTY: KTY_EC2, CRV: CRV_P256, X: x, Y: bool(y[-1] & 1)}
    if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
        x = _unb64url(jwk["x"])
        if len(x) != 32:
            raise ValueError("bad Ed25519 key length")
        return {KTY: KTY_OKP, CRV: CRV_ED25519, X: x}
    raise ValueError("only EC P-256 and OKP Ed25519 device keys are supported")


def jwk_from_cose_key(cose_key: Any) -> dict[str, str]:
    """The public JWK of a compact COSE_Key from a QR; anything else is QrMalformed."""
    if not isinstance(cose_key, dict):
        raise QrMalformed("cnf key must be a COSE_Key map")
    kty, crv, x = cose_key.get(KTY), cose_key.get(CRV), cose_key.get(X)
    if not isinstance(x, bytes) or len(x) != 32:
        raise QrMalformed("cnf key x must be 32 bytes")
    if kty == KTY_OKP and crv == CRV_ED25519 and set(cose_key) == {KTY, CRV, X}:
        return {"kty": "OKP", "crv": "Ed25519", "x": _b64url(x)}
    if kty == KTY_EC2 and crv == CRV_P256 and set(cose_key) == {KTY, CRV, X, Y}:
        sign = cose_key[Y]
        if not isinstance(sign, bool):
            raise QrMalformed("cnf P-256 key must be compressed (y is the sign bit)")
        return {"kty": "EC", "crv": "P-256", "x": _b64url(x), "y": _b64url(_p256_y(x, odd=sign))}
    raise QrMalformed("cnf key must be EC2 P-256 or OKP Ed25519 in compact form")


def _p256_y(x_bytes: bytes, *, odd: bool) -> bytes:
    # cryptography decompresses natively: the modular square root in Python cost ~9% of a scan
    try:
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), (b"\x03" if odd else b"\x02") + x_bytes)
    except ValueError as exc:
        raise QrMalformed("cnf key x is not on P-256") from exc
    return key.public_numbers().y.to_bytes(32, "big")
