"""Submitting a prepared consent: the KB-JWTs are checked, then it goes where its kind says."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from schemas.errors import InvalidInput
from wallet_api.wallet.fetching import Fetcher
from wallet_api.wallet.models import Consent
from wallet_api.wallet.presentations import KIND_OPENID4VP, KIND_SHARE_LINK, WalletServices, signed_items, submit_openid4vp
from wallet_api.wallet.share_links import ShareLinkPolicy, complete_share_link


def submit(
    session: Session, *, consent: Consent, body: Any, fetcher: Fetcher, ctx: WalletServices, policy: ShareLinkPolicy
) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidInput("the body is a JSON object")
    items, kb_jwts = signed_items(session, consent=consent, body=body, ctx=ctx)
    if consent.kind == KIND_SHARE_LINK:
        return complete_share_link(session, consent=consent, items=items, kb_jwts=kb_jwts, ctx=ctx, policy=policy)
    assert consent.kind == KIND_OPENID4VP
    return submit_openid4vp(session, consent=consent, items=items, kb_jwts=kb_jwts, fetcher=fetcher, ctx=ctx)
