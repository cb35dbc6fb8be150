"""What state a stored credential is in, read live.

Order of precedence: revoked, suspended (the issuer's word), expired, expiring_soon, valid.
For our own issuer the status is read from the issuer's status table directly (the list a
verifier would fetch is built from the same rows); for another issuer the verifier's status
checker fetches and caches that issuer's Token Status List. A list that cannot be read leaves
``status`` "unknown" and the state to the validity dates: the holder still sees the
certificate, and a verifier will still refuse it if it is in fact revoked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from issuers.models import IssuedCredential
from issuers.status_lists.entries import get_status
from keys.sealing import Sealer
from schemas.errors import WalletError
from schemas.status_list import INVALID, SUSPENDED, VALID
from verifiers.status_check import StatusListChecker
from wallet_api.wallet.models import Device, StoredCredential
from wallet_api.wallet.sealing import open_json

STATES = ("valid", "expiring_soon", "expired", "suspended", "revoked")
STATUS_NAMES = {VALID: "valid", INVALID: "revoked", SUSPENDED: "suspended"}


@dataclass(frozen=True)
class CredentialState:
    state: str
    #: the issuer's status: valid, revoked, suspended, unknown
    status: str
    device_revoked: bool

    @property
    def presentable(self) -> bool:
        return self.state in ("valid", "expiring_soon") and not self.device_revoked


def _issuer_status(session: Session, row: StoredCredential, checker: StatusListChecker, sealer: Sealer) -> str:
    if row.issuer_record_id is not None:
        record = session.get(IssuedCredential, row.issuer_record_id)
        if record is not None:
            return STATUS_NAMES.get(get_status(session, list_id=record.status_list_id, idx=record.status_idx), "unknown")
    return sealed_status(row, checker, sealer)


def state_of(row: StoredCredential, *, status: str, device_revoked: bool, now: datetime, expiring_soon_days: int) -> CredentialState:
    """The state from facts already read (the list reads them for all rows in one query)."""
    if status in ("revoked", "suspended"):
        state = status
    elif row.expires_at <= now:
        state = "expired"
    elif row.expires_at - now <= timedelta(days=expiring_soon_days):
        state = "expiring_soon"
    else:
        state = "valid"
    return CredentialState(state, status, device_revoked)


def sealed_status(row: StoredCredential, checker: StatusListChecker, sealer: Sealer) -> str:
    """Another issuer's status, through the verifier's (caching) status list checker."""
    if row.sealed_status is None:
        return "unknown"
    claim = open_json(sealer, row.sealed_status, table="wallet_stored_credential", row_id=row.id, field="status")
    try:
        return STATUS_NAMES.get(checker.check(claim).status, "unknown")
    except WalletError:
        return "unknown"


def credential_state(
    session: Session,
    row: StoredCredential,
    *,
    now: datetime,
    expiring_soon_days: int,
    checker: StatusListChecker,
    sealer: Sealer,
) -> CredentialState:
    status = _issuer_status(session, row, checker, sealer)
    device = session.get(Device, row.device_id)
    device_revoked = device is None or device.revoked_at is not None
    return state_of(row, status=status, device_revoked=device_revoked, now=now, expiring_soon_days=expiring_soon_days)
