"""Compact JWS signing and verification with a per-key algorithm allow-list.

The algorithm is a property of the key (``VerificationKey.alg``), never of the token: a
header that names another algorithm, ``none``, an HMAC, or brings its own key (``jku``,
``x5u``; ``jwk``/``x5c`` unless the caller explicitly resolves it) is refused before any
signature maths runs (RFC 8725 §3.1).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from keys.b64 import b64url_decode, b64url_encode
from keys.errors import JWSAlgorithmRefused, JWSMalformed, JWSSignatureInvalid
from keys.json_document import document_reader
from keys.jwk import PrivateKey, PublicKey, alg_for_jwk, public_jwk, public_key_from_jwk, thumbprint

SUPPORTED_ALGS: frozenset[str] = frozenset({"ES256", "EdDSA"})
#: header members through which a token could smuggle its own verification key
HEADER_KEY_MEMBERS: frozenset[str] = frozenset({"jku", "x5u", "jwk", "x5c"})
_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())


_decode_json_text = document_reader(json.JSONDecoder())


def json_compact(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class VerificationKey:
    kid: str | None
    alg: str
    public_key: PublicKey

    @classmethod
    def from_jwk(cls, jwk: dict[str, Any], kid: str | None = None) -> "VerificationKey":
        return cls(kid=kid or jwk.get("kid") or thumbprint(jwk), alg=alg_for_jwk(jwk), public_key=public_key_from_jwk(jwk))

    def verify(self, signing_input: bytes, signature: bytes) -> None:
        try:
            if self.alg == "ES256":
                if len(signature) != 64:
                    raise JWSSignatureInvalid("ES256 signature must be 64 bytes")
                der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
                self.public_key.verify(der, signing_input, _ECDSA_SHA256)  # type: ignore[call-arg,arg-type]
            elif self.alg == "EdDSA":
                self.public_key.verify(signature, signing_input)  # type: ignore[call-arg]
            else:  # pragma: no cover - construction guards this
                raise JWSAlgorithmRefused(self.alg)
        except InvalidSignature:
            raise JWSSignatureInvalid("signature does not verify") from None


@dataclass(frozen=True)
class Signer:
    """Holds a private key inside ``keys``; callers only ever get ``sign``."""

    kid: str
    alg: str
    _private_key: PrivateKey = field(repr=False)

    @classmethod
    def from_private_key(cls, private_key: PrivateKey, kid: str | None = None) -> "Signer":
        jwk = public_jwk(private_key)
        return cls(kid=kid or thumbprint(jwk), alg=alg_for_jwk(jwk), _private_key=private_key)

    @property
    def public_jwk(self) -> dict[str, str]:
        return public_jwk(self._private_key)

    def verification_key(self) -> VerificationKey:
        return VerificationKey(kid=self.kid, alg=self.alg, public_key=self._private_key.public_key())

    def sign(self, signing_input: bytes) -> bytes:
        if self.alg == "ES256":
            r, s = decode_dss_signature(self._private_key.sign(signing_input, _ECDSA_SHA256))  # type: ignore[call-arg,arg-type]
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return self._private_key.sign(signing_input)  # type: ignore[call-arg]

    def sign_compact(self, header: dict[str, Any], payload: dict[str, Any] | bytes, *, include_kid: bool = True) -> str:
        full_header = {"alg": self.alg, **header}
        if include_kid:
            full_header.setdefault("kid", self.kid)
        body = payload if isinstance(payload, bytes) else json_compact(payload)
        signing_input = f"{b64url_encode(json_compact(full_header))}.{b64url_encode(body)}".encode("ascii")
        return signing_input.decode("ascii") + "." + b64url_encode(self.sign(signing_input))


def generate_private_key(alg: str = "ES256") -> PrivateKey:
    if alg == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    if alg == "EdDSA":
        return ed25519.Ed25519PrivateKey.generate()
    raise JWSAlgorithmRefused(f"unsupported algorithm {alg}")


@dataclass(frozen=True)
class UnverifiedJWS:
    """A parsed compact JWS whose signature has NOT been checked."""

    unverified_header: dict[str, Any]
    unverified_payload_bytes: bytes
    signing_input: bytes
    signature: bytes

    def unverified_claims(self) -> dict[str, Any]:
        # decoded once per token: a key resolver and verify_compact both ask for it
        cached = self.__dict__.get("_claims")
        if cached is None:
            cached = _json_object(self.unverified_payload_bytes, "payload")
            self.__dict__["_claims"] = cached
        return cached


@dataclass(frozen=True)
class VerifiedJWS:
    header: dict[str, Any]
    payload: dict[str, Any]
    key: VerificationKey


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        # JOSE JSON is UTF-8 (RFC 8259 §8.1): decoding it ourselves skips json.loads' encoding sniffing
        value = _decode_json_text(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise JWSMalformed(f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise JWSMalformed(f"{what} is not a JSON object")
    return value


def parse_compact(token: str) -> UnverifiedJWS:
    if not isinstance(token, str):
        raise JWSMalformed("token is not a string")
    parts = token.split(".")
    if len(parts) != 3:
        raise JWSMalformed("a compact JWS has three parts")
    try:
        header_raw = b64url_decode(parts[0])
        payload_raw = b64url_decode(parts[1])
        signature = b64url_decode(parts[2])
    except ValueError:
        raise JWSMalformed("JWS part is not base64url") from None
    header = _json_object(header_raw, "header")
    # the three parts decoded, so the text is ASCII: slicing skips re-joining the parts
    signing_input = token[: len(parts[0]) + 1 + len(parts[1])].encode("ascii")
    return UnverifiedJWS(header, payload_raw, signing_input, signature)


KeyResolver = Callable[[dict[str, Any]], VerificationKey]


def check_header(header: dict[str, Any], *, allow_header_jwk: bool = False) -> str:
    """Refuse algorithm and key-injection tricks; returns the header's alg."""
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in SUPPORTED_ALGS:
        raise JWSAlgorithmRefused(f"algorithm {alg!r} is not allowed")
    if "crit" in header:
        raise JWSMalformed("crit header parameters are not supported")
    smuggled = HEADER_KEY_MEMBERS & header.keys()
    if allow_header_jwk:
        smuggled -= {"jwk"}
    if smuggled:
        raise JWSAlgorithmRefused(f"header-supplied keys are refused: {sorted(smuggled)}")
    return alg


def verify_signature(parsed: UnverifiedJWS, key: VerificationKey, *, allow_header_jwk: bool = False) -> dict[str, Any]:
    """The payload of ``parsed`` once its header passed ``check_header`` and ``key`` verified
    its signature: ``verify_compact`` without the ``VerifiedJWS`` built around the result."""
    alg = check_header(parsed.unverified_header, allow_header_jwk=allow_header_jwk)
    if key.alg != alg:
        raise JWSAlgorithmRefused(f"key {key.kid} allows {key.alg}, token says {alg}")
    key.verify(parsed.signing_input, parsed.signature)
    return parsed.unverified_claims()


def verify_compact(
    token: str | UnverifiedJWS,
    key: VerificationKey | KeyResolver,
    *,
    expected_typ: str | None = None,
    allow_header_jwk: bool = False,
) -> VerifiedJWS:
    """Verify a compact JWS. ``key`` is a key, or a resolver called with the header."""
    parsed = token if isinstance(token, UnverifiedJWS) else parse_compact(token)
    header = parsed.unverified_header
    # refused before a resolver sees the header
    check_header(header, allow_header_jwk=allow_header_jwk)
    if expected_typ is not None and header.get("typ") != expected_typ:
        raise JWSMalformed(f"typ must be {expected_typ!r}")
    resolved = key if isinstance(key, VerificationKey) else key(header)
    return VerifiedJWS(
        header=header,
        payload=verify_signature(parsed, resolved, allow_header_jwk=allow_header_jwk),
        key=resolved,
    )
