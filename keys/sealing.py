"""AES-256-GCM sealing of data at rest (stored credentials, personal data, offer subjects).

Format: version byte 0x01 | 12-byte random nonce | ciphertext+tag. The associated data binds
a ciphertext to its row (e.g. the table and id), so a sealed value copied into another row
does not open.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from keys.errors import KeyLayerError

_VERSION = b"\x01"


class SealError(KeyLayerError):
    pass


class Sealer:
    def __init__(self, secret: str | bytes) -> None:
        material = secret.encode() if isinstance(secret, str) else secret
        # derive independent keys for encryption and for keyed lookups from one configured secret
        self._aead = AESGCM(hmac.new(material, b"ecert/seal/v1", hashlib.sha256).digest())
        self._lookup_key = hmac.new(material, b"ecert/lookup/v1", hashlib.sha256).digest()

    def seal(self, plaintext: bytes, *, aad: bytes) -> bytes:
        nonce = os.urandom(12)
        return _VERSION + nonce + self._aead.encrypt(nonce, plaintext, aad)

    def open(self, sealed: bytes, *, aad: bytes) -> bytes:
        if len(sealed) < 29 or sealed[:1] != _VERSION:
            raise SealError("not a sealed value")
        try:
            return self._aead.decrypt(sealed[1:13], sealed[13:], aad)
        except InvalidTag:
            raise SealError("sealed value does not open with this key and context") from None

    def lookup_hash(self, value: str, *, purpose: str) -> str:
        """A keyed, deterministic hash to find rows by a personal value without storing it."""
        return hmac.new(self._lookup_key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()
