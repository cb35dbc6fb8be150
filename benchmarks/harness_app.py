"""The benchmark's ASGI app: the real app, plus ``POST /bench/raw-verify`` beside it.

The bare endpoint is the reference for ``POST /v1/verify``: same process, same uvicorn,
same FastAPI request handling, and it does only the two ES256 verifies (issuer JWT and
KB-JWT, keys already loaded) that any SD-JWT verifier must do. It exists only here, never
in the product. Started by ``uvicorn --factory benchmarks.harness_app:create_harness_app``;
the key material comes from the file named by ``ECERT_BENCH_RAW_KEYS``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from keys.b64 import b64url_decode
from keys.jwk import public_key_from_jwk
from wallet_api.app import create_app

RAW_VERIFY_PATH = "/bench/raw-verify"
_ECDSA = ec.ECDSA(hashes.SHA256())


def _der(signature: bytes) -> bytes:
    return encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))


def _raw_verify_app(keys_file: Path) -> FastAPI:
    material = json.loads(keys_file.read_text())
    issuer_key = public_key_from_jwk(material["issuer_jwk"])
    holder_key = public_key_from_jwk(material["holder_jwk"])
    bare = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @bare.post(RAW_VERIFY_PATH)
    async def raw_verify(request: Request) -> dict[str, Any]:
        presentation = (await request.json())["presentation"]
        issuer_jwt, kb_jwt = presentation.split("~", 1)[0], presentation.rsplit("~", 1)[1]
        for token, key in ((issuer_jwt, issuer_key), (kb_jwt, holder_key)):
            signing_input, _, signature = token.rpartition(".")
            key.verify(_der(b64url_decode(signature)), signing_input.encode("ascii"), _ECDSA)
        return {"valid": True}

    return bare


def create_harness_app() -> ASGIApp:
    real = create_app(freeze_heap=True)  # as wallet_api.main serves it
    keys_file = os.environ.get("ECERT_BENCH_RAW_KEYS")
    bare = _raw_verify_app(Path(keys_file)) if keys_file else None

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        # lifespan and every other path go to the real app, so its start-up runs as in production
        if bare is not None and scope["type"] == "http" and scope["path"] == RAW_VERIFY_PATH:
            await bare(scope, receive, send)
        else:
            await real(scope, receive, send)

    return app
