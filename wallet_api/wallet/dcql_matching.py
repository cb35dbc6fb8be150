"""Which of the holder's credentials can answer each DCQL credential query, and with what."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from keys.sd_jwt import ClaimPath
from schemas.registry import TypeRegistry
from verifiers.claim_selection import has_path
from verifiers.oid4vp.dcql import CredentialQuery, DcqlQuery
from wallet_api.wallet.credential_views import StatusReader, stored_claims
from wallet_api.wallet.models import StoredCredential


def every_claim(registry: TypeRegistry, type_id: str | None) -> list[ClaimPath]:
    """What a query naming no claims asks for: every claim of the type."""
    if type_id is None or type_id not in registry:
        return []
    return [(c.name,) for c in registry.get(type_id).claims]


def asked_paths(query: CredentialQuery, registry: TypeRegistry, type_id: str | None) -> list[ClaimPath]:
    return list(query.claims) if query.claims is not None else every_claim(registry, type_id)


def path_label(registry: TypeRegistry, type_id: str | None, path: ClaimPath) -> dict[str, str] | None:
    """The ko/en label of a DCQL path (array steps skipped, as the type file nests them)."""
    if type_id is None or type_id not in registry:
        return None
    names = [step for step in path if isinstance(step, str)]
    dotted = ".".join(names)
    try:
        claim = registry.get(type_id).claim(dotted)
    except KeyError:
        try:
            claim = registry.get(type_id).claim("[].".join(names))
        except KeyError:
            return None
    return {"ko": claim.label.ko, "en": claim.label.en}


def _candidate(session: Session, row: StoredCredential, paths: list[ClaimPath], reader: StatusReader) -> dict[str, Any]:
    found = reader.state(session, row)
    claims = stored_claims(row, reader.sealer)
    return {
        "credential_id": row.id,
        "device_id": row.device_id,
        "state": found.state,
        "presentable": found.presentable,
        "missing_claims": [list(p) for p in paths if not has_path(claims, p)],
        "expires_at": row.expires_at,
    }


def match_query(
    session: Session,
    *,
    holder_id: str,
    query: DcqlQuery,
    type_for_vct: dict[str, str],
    registry: TypeRegistry,
    reader: StatusReader,
) -> list[dict[str, Any]]:
    answers = []
    for credential in query.credentials:
        type_id = next((type_for_vct[v] for v in credential.vct_values if v in type_for_vct), None)
        paths = asked_paths(credential, registry, type_id)
        rows = session.exec(
            select(StoredCredential)
            .where(StoredCredential.holder_id == holder_id, col(StoredCredential.vct).in_(credential.vct_values))
            .order_by(col(StoredCredential.stored_at).desc())
        ).all()
        name = registry.get(type_id).name if type_id in registry else None
        answers.append(
            {
                "query_id": credential.id,
                "type_id": type_id,
                "name": {"ko": name.ko, "en": name.en} if name else None,
                "multiple": credential.multiple,
                "claims": [{"path": list(p), "label": path_label(registry, type_id, p)} for p in paths],
                "candidates": [_candidate(session, row, paths, reader) for row in rows],
            }
        )
    return answers
