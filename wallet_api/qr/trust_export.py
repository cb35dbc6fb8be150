"""``ecert trust export``: the trust file an offline scanner verifies with (docs/qr-format.md §13).

Every agency id of the registry signs QR issuer parts with this service's published issuer
keys (see ``wallet_api.qr.services``), so each agency is listed with those keys, their
validity (created - published until) and the service's URL as its status base; every status
list this service keeps is included as the signed token a verifier would fetch now.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select

from issuers.status_lists.allocator import status_list_uri_path
from issuers.status_lists.models import IssuerStatusList
from keys.store import published_keys
from verifiers.qr.trust_file import TRUST_FILE_FORMAT, TRUST_FILE_VERSION, data_fingerprints
from wallet_api.qr.services import agency_ids
from wallet_api.state import AppState
from wallet_api.admin.status_publishing import status_list_token_for


def _epoch(moment: datetime | None) -> int | None:
    if moment is None:
        return None
    return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())


def trust_document(state: AppState, session: Session) -> dict[str, Any]:
    now = state.clock.epoch()
    base = state.settings.issuer_id
    keys = [
        {"jwk": {**row.public_jwk, "kid": row.kid, "alg": row.alg}, "not_before": _epoch(row.created_at),
         "not_after": _epoch(row.publish_until)}
        for row in published_keys(session, now=state.clock.now())
    ]
    lists = []
    for status_list in session.exec(select(IssuerStatusList).order_by(IssuerStatusList.id)).all():  # type: ignore[arg-type]
        token, _ = status_list_token_for(state, session, uri_id=status_list.uri_id, now=now)
        lists.append({"uri": base + status_list_uri_path(status_list.uri_id), "fetched_at": now, "token": token})
    return {
        "format": TRUST_FILE_FORMAT,
        "version": TRUST_FILE_VERSION,
        "exported_at": now,
        **data_fingerprints(),
        "issuers": [{"iss": iss, "status_base_url": base, "keys": keys} for iss in sorted(agency_ids(state))],
        "status_lists": lists,
    }
