"""What the QR format needs from keys, as structural types.

``schemas`` may not import ``keys``; ``keys.jws.Signer`` and ``keys.jws.VerificationKey``
satisfy these protocols as they are, so callers pass them straight in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol


class PayloadSigner(Protocol):
    @property
    def alg(self) -> str: ...

    @property
    def kid(self) -> str: ...

    def sign(self, signing_input: bytes) -> bytes:
        """Raw signature: 64-byte r||s for ES256, 64 bytes for EdDSA."""
        ...


class SignatureKey(Protocol):
    @property
    def alg(self) -> str: ...

    @property
    def kid(self) -> str | None: ...

    def verify(self, signing_input: bytes, signature: bytes) -> None:
        """Returns on success; raises (any exception) when the signature does not verify."""
        ...


#: iss claim -> the issuer's trusted (published) keys; empty when the issuer is unknown
IssuerKeyResolver = Callable[[str], Iterable[SignatureKey]]
#: builds a verifying key from the device JWK carried in cnf (``VerificationKey.from_jwk``)
DeviceKeyFactory = Callable[[dict[str, Any]], SignatureKey]
