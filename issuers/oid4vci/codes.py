"""Bearer secrets handed to wallets, and how they are stored (hashed, never in clear)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

#: 256 bits: pre-authorized codes, access tokens and nonces are guess-proof on their own
SECRET_BYTES = 32
TX_CODE_LENGTH = 6


def new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_tx_code() -> str:
    return f"{secrets.randbelow(10**TX_CODE_LENGTH):0{TX_CODE_LENGTH}d}"


def hash_tx_code(tx_code: str, *, pre_authorized_code: str) -> str:
    # keyed by the code it protects: a 6-digit PIN hashed alone falls to 10^6 guesses
    # against a database copy, this one needs the pre-authorized code, which is not stored
    return hmac.new(pre_authorized_code.encode("utf-8"), tx_code.encode("utf-8"), hashlib.sha256).hexdigest()


def same_hash(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("ascii"), b.encode("ascii"))
