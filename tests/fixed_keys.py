"""Every fixed secret and key the tests use, in one place.

Generated keys are the rule; these exist where a test needs the same key in two processes
(a subprocess server, a CLI run), across runs (the QR vectors) or a value to compare with.
The QR vectors' PEM files are in ``tests/keys/qr`` (``QR_KEYS_DIR``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from keys.jws import Signer

#: the test settings' secrets (tests/conftest.py ``settings``), also given to CLI and server subprocesses
TEST_KEY_PASSPHRASE = "test-passphrase"
TEST_STORAGE_KEY = "dGVzdC1zdG9yYWdlLWtleS0zMi1ieXRlcy1sb25nLi4"
QR_KEYS_DIR = Path(__file__).resolve().parent / "keys" / "qr"


def fixed_signer(alg: str, label: str) -> Signer:
    """A key derived from a fixed seed: reproducible without key files (P-256 from a fixed
    scalar, Ed25519 from a fixed 32-byte seed)."""
    seed = hashlib.sha256(f"ecert-wallet qr test key {alg} {label}".encode()).digest()
    if alg == "ES256":
        return Signer.from_private_key(ec.derive_private_key(int.from_bytes(seed, "big"), ec.SECP256R1()))
    return Signer.from_private_key(ed25519.Ed25519PrivateKey.from_private_bytes(seed))
