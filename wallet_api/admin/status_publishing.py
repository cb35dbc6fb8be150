"""Serves status list tokens, each signed by the key of the credentials it covers."""

from __future__ import annotations

from sqlmodel import Session, select

from issuers.status_lists.allocator import status_list_uri_path
from issuers.status_lists.models import IssuerStatusList
from issuers.status_lists.token import build_status_list_token
from schemas.errors import NotFound
from wallet_api.state import AppState


def status_list_token_for(state: AppState, session: Session, *, uri_id: str, now: int) -> tuple[str, int]:
    """The signed list for ``uri_id`` and the ttl verifiers may cache it for."""
    status_list = session.exec(select(IssuerStatusList).where(IssuerStatusList.uri_id == uri_id)).first()
    if status_list is None or status_list.id is None:
        raise NotFound("no such status list")
    ttl = state.settings.status_list_ttl_s
    token = build_status_list_token(
        session,
        list_id=status_list.id,
        signer=state.signers.signer_for_kid(session, status_list.kid),
        uri=state.settings.issuer_id + status_list_uri_path(uri_id),
        now=now,
        ttl_s=ttl,
        # a copy stays usable offline for a day; verifiers re-fetch after ttl when online
        validity_s=max(ttl, 86400),
        issuer=state.settings.issuer_id,
    )
    return token, ttl
