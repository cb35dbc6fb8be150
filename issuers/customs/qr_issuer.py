"""Signing a declaration version's issuer part, and refusing one that would not fit a v15 QR."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from keys.jws import Signer
from schemas.errors import InvalidInput
from schemas.qr_image import qr_version
from schemas.qr_payload import build_presentation, encode_issuer_part, finish_presentation

TYPE_ID = "customs_declaration"
FAMILY = "KD"
#: the QR carries the agency id, not a URL: 3 bytes instead of 20+ (see tests/test_qr_size.py)
CUSTOMS_ISS = "kcs"
MAX_QR_VERSION = 15
JTI_BYTES = 8


def sign_issuer_part(*, signer: Signer, claims: Mapping[str, Any], holder_jwk: Mapping[str, Any], exp: int) -> bytes:
    part = encode_issuer_part(signer=signer, type_id=TYPE_ID, claims=claims, holder_jwk=holder_jwk, iss=CUSTOMS_ISS, exp=exp)
    _check_fits(part, holder_alg=str(holder_jwk.get("kty")))
    return part


def _check_fits(issuer_part: bytes, *, holder_alg: str) -> None:
    # a presentation around it with a random 64-byte signature is as long as the real one
    unsigned = build_presentation(
        issuer_part=issuer_part, family=FAMILY, device_alg="EdDSA" if holder_alg == "OKP" else "ES256",
        now=2_000_000_000, ttl_s=600, jti=os.urandom(JTI_BYTES),
    )
    text = finish_presentation(unsigned, os.urandom(64))
    version = qr_version(text)
    if version > MAX_QR_VERSION:
        raise InvalidInput(
            f"the declaration needs a version {version} QR (at most {MAX_QR_VERSION}): "
            "shorten the goods names or list fewer lines",
            qr_version=version,
        )
