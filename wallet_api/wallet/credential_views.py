"""The holder's view of stored credentials: list (with filters), one with labels, delete.

Expired credentials are kept, shown as ``expired``, for ``expired_credential_retention_days``
after their expiry and then purged (``purge_expired``, run by a scheduled job or the CLI; the
listing itself no longer deletes anything, it only leaves out rows past their retention, so a
late purge is invisible to the holder and a read stays a read). Why keep them at all: a paper certificate does not vanish on its expiry
date, and the holder needs to see *that* it expired (and re-issue it) rather than find it
gone; why not forever: an expired certificate is still personal data with no use left.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from issuers.models import IssuedCredential
from issuers.status_lists.models import IssuerStatusEntry

from keys.sealing import Sealer
from schemas.errors import InvalidInput, NotFound
from schemas.masking import masked_display
from schemas.registry import TypeRegistry
from verifiers.display_labels import labels_for
from verifiers.status_check import StatusListChecker
from schemas.status_list import VALID
from wallet_api.wallet.credential_state import STATES, STATUS_NAMES, CredentialState, credential_state, sealed_status, state_of
from wallet_api.wallet.models import Device, StoredCredential
from wallet_api.wallet.sealing import open_json

TABLE = "wallet_stored_credential"
_ENTRY = IssuerStatusEntry.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class StatusReader:
    """What reading a credential's state needs, bundled once per request."""

    checker: StatusListChecker
    sealer: Sealer
    expiring_soon_days: int
    now: datetime

    def state(self, session: Session, row: StoredCredential) -> CredentialState:
        return credential_state(
            session, row, now=self.now, expiring_soon_days=self.expiring_soon_days, checker=self.checker, sealer=self.sealer
        )


def owned_credential(session: Session, *, holder_id: str, credential_id: str) -> StoredCredential:
    row = session.get(StoredCredential, credential_id)
    # another holder's credential is reported exactly like a missing one
    if row is None or row.holder_id != holder_id:
        raise NotFound("no such credential")
    return row


def _type_names(registry: TypeRegistry, type_id: str | None) -> dict[str, str] | None:
    if type_id is None or type_id not in registry:
        return None
    name = registry.get(type_id).name
    return {"ko": name.ko, "en": name.en}


def summary(session: Session, row: StoredCredential, *, reader: StatusReader, registry: TypeRegistry) -> dict[str, Any]:
    return _summary_of(row, reader.state(session, row), registry)


def _summary_of(row: StoredCredential, found: CredentialState, registry: TypeRegistry) -> dict[str, Any]:
    return {
        "id": row.id,
        "type_id": row.type_id,
        "name": _type_names(registry, row.type_id),
        "vct": row.vct,
        "issuer": row.issuer,
        "device_id": row.device_id,
        "origin": row.origin,
        "issued_at": row.issued_at,
        "expires_at": row.expires_at,
        "stored_at": row.stored_at,
        "state": found.state,
        "status": found.status,
        "device_revoked": found.device_revoked,
        "presentable": found.presentable,
    }


def purge_expired(session: Session, *, now: datetime, retention_days: int, holder_id: str | None = None) -> int:
    """Delete credentials past their retention; commits. For a scheduled job or the CLI
    (``ecert wallet purge-expired``), not for request paths: it is a write on every row's index."""
    cutoff = now - timedelta(days=retention_days)
    statement = delete(StoredCredential).where(col(StoredCredential.expires_at) < cutoff)
    if holder_id is not None:
        statement = statement.where(col(StoredCredential.holder_id) == holder_id)
    purged = session.execute(statement).rowcount
    session.commit()
    return purged


def list_credentials(
    session: Session,
    *,
    holder_id: str,
    type_id: str | None,
    state: str | None,
    reader: StatusReader,
    registry: TypeRegistry,
    retention_days: int,
) -> list[dict[str, Any]]:
    if state is not None and state not in STATES:
        raise InvalidInput(f"state is one of {list(STATES)}")
    cutoff = reader.now - timedelta(days=retention_days)
    # one query for every row and what its state needs: our issuer's record and its status
    # entry (no entry row means VALID) and the device; the sealed blobs are not read at all
    statement = (
        select(StoredCredential, col(IssuedCredential.id), _ENTRY.c.status, col(Device.id), col(Device.revoked_at))
        .outerjoin(IssuedCredential, col(IssuedCredential.id) == col(StoredCredential.issuer_record_id))
        .outerjoin(
            _ENTRY,
            and_(_ENTRY.c.list_id == col(IssuedCredential.status_list_id), _ENTRY.c.idx == col(IssuedCredential.status_idx)),
        )
        .outerjoin(Device, col(Device.id) == col(StoredCredential.device_id))
        .where(col(StoredCredential.holder_id) == holder_id, col(StoredCredential.expires_at) >= cutoff)
        .options(defer(StoredCredential.sealed_credential), defer(StoredCredential.sealed_claims))  # type: ignore[arg-type]
    )
    if type_id is not None:
        statement = statement.where(StoredCredential.type_id == type_id)
    listed = []
    for row, record_id, entry_status, device_id, revoked_at in session.exec(
        statement.order_by(col(StoredCredential.stored_at).desc(), col(StoredCredential.id))
    ).all():
        if record_id is not None:
            status = STATUS_NAMES.get(VALID if entry_status is None else int(entry_status), "unknown")
        else:
            status = sealed_status(row, reader.checker, reader.sealer)
        found = state_of(
            row, status=status, device_revoked=device_id is None or revoked_at is not None,
            now=reader.now, expiring_soon_days=reader.expiring_soon_days,
        )
        if state is None or found.state == state:
            listed.append(_summary_of(row, found, registry))
    return listed


def stored_claims(row: StoredCredential, sealer: Sealer) -> dict[str, Any]:
    return open_json(sealer, row.sealed_claims, table=TABLE, row_id=row.id, field="claims")


def credential_detail(
    session: Session, row: StoredCredential, *, reader: StatusReader, registry: TypeRegistry
) -> dict[str, Any]:
    """One credential for the screen: sensitive claims masked, labels in Korean and English."""
    claims = stored_claims(row, reader.sealer)
    shown = masked_display(registry.get(row.type_id), claims) if row.type_id in registry else claims
    return {
        **summary(session, row, reader=reader, registry=registry),
        "claims": shown,
        "labels": labels_for(registry, row.type_id, claims),
    }


def delete_credential(session: Session, row: StoredCredential) -> None:
    session.delete(row)
    session.commit()
