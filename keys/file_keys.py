"""A signing key kept in a file: encrypted PKCS#8, created owner-only on first use.

For keys that belong to one installation rather than to the shared database (the
development identity provider).
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from keys.jws import Signer, generate_private_key


def load_or_create_signer(path: Path, *, passphrase: bytes, alg: str = "ES256") -> Signer:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        private_key = serialization.load_pem_private_key(path.read_bytes(), password=passphrase)
        return Signer.from_private_key(private_key)  # type: ignore[arg-type]
    private_key = generate_private_key(alg)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(passphrase)
    )
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return Signer.from_private_key(private_key)
