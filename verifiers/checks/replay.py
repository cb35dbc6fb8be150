"""replay: a presentation is accepted once.

The mark is the digest of the KB-JWT (unique per signing: it covers nonce, iat and
sd_hash), or of the whole presentation when there is none. It is a row in
``verifiers_used_nonce`` inserted with ON CONFLICT DO NOTHING: the database, not process
memory, decides, so two workers receiving the same presentation accept it once. Runs last
so that a rejected presentation leaves nothing behind.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from schemas.errors import Replayed
from verifiers.context import VerificationContext
from verifiers.used_nonces import mark_used

ID = "replay"
#: a mark must outlive any KB-JWT that could still pass holder_binding (300 s + skew)
DEFAULT_RETAIN_S = 86400


def check(ctx: VerificationContext, options: Mapping[str, Any]) -> None:
    parts = ctx.need("parsed").parts
    material = parts.kb_jwt if parts.kb_jwt is not None else ctx.presentation
    digest = hashlib.sha256(material.encode("ascii")).hexdigest()
    retain = int(options.get("retain_s", DEFAULT_RETAIN_S))
    if not mark_used(ctx.session, digest=digest, scope=ctx.audience or "", now=ctx.now, expires_at=ctx.now + retain):
        raise Replayed("this presentation was already accepted")
