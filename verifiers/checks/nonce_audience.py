"""nonce_audience: the KB-JWT answers this verifier's challenge (``nonce``) and names this
verifier (``aud``), so a presentation made for someone else cannot be replayed here."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

from schemas.errors import NonceMismatch
from verifiers.context import ProfileMisconfigured, VerificationContext

ID = "nonce_audience"


def _same(received: Any, expected: str) -> bool:
    return isinstance(received, str) and hmac.compare_digest(received.encode(), expected.encode())


def check(ctx: VerificationContext, options: Mapping[str, Any]) -> None:
    if not ctx.key_binding_checked:
        raise ProfileMisconfigured("nonce_audience runs after holder_binding")
    nonce, audience = ctx.need("nonce"), ctx.need("audience")
    if ctx.key_binding is None:
        raise NonceMismatch("no KB-JWT carries a nonce and audience")
    kb = ctx.key_binding.payload
    if not _same(kb.get("nonce"), nonce):
        raise NonceMismatch("the KB-JWT nonce is not the one this verifier issued")
    if not _same(kb.get("aud"), audience):
        raise NonceMismatch("the KB-JWT is addressed to another verifier")
