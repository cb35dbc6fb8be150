"""Upkeep: delete every row that has outlived its use (``ecert maintenance``, and the server
every ``ECERT_MAINTENANCE_INTERVAL_S``).

The request path sweeps a bounded batch now and then (``expired_rows``); this removes the
rest, table by table, each in short transactions of its own, through the purge function each
table's owner already has. One run at a time across workers: a PostgreSQL session advisory
lock (``pg_try_advisory_lock``), which a worker that finds it taken skips this round; SQLite
has one server process, so no lock.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from issuers.oid4vci.models import Oid4vciAccessToken, Oid4vciNonce, Oid4vciOffer, Oid4vciOfferCredential
from verifiers.models import PresentationRequest
from verifiers.oid4vp.presentation_requests import purge_uncollected_results
from verifiers.qr.scan_marks import purge_scan_marks
from verifiers.used_nonces import purge_used
from wallet_api.console import sessions as console_sessions
from wallet_api.db.expired_rows import ExpiringTable, sweep_expired
from wallet_api.http.rate_limits import WINDOWS
from wallet_api.state import AppState
from wallet_api.wallet import credential_views
from wallet_api.wallet.models import (
    AccessToken,
    DeviceRegistrationChallenge,
    ShareLink,
    SignInChallenge,
    UsedIdentityAssertion,
)

logger = logging.getLogger(__name__)

#: the advisory lock's key: any fixed bigint no other code of this database uses ("ecertMNT")
LOCK_KEY = 0x6563_6572_744D_4E54
#: rows per DELETE: short transactions, so a run never holds many row locks at once
BATCH = 1000


@dataclass(frozen=True)
class Now:
    at: datetime

    @property
    def epoch(self) -> int:
        return int(self.at.timestamp())


def _expiring(target: ExpiringTable, *, epoch: bool = False) -> Callable[[Session, Now, AppState], int]:
    """A table swept by ``expires_at`` alone, in batches until none is left."""

    def purge(session: Session, now: Now, _state: AppState) -> int:
        total = 0
        while True:
            count = sweep_expired(session, target, now=now.epoch if epoch else now.at, batch=BATCH)
            session.commit()
            total += count
            if count < BATCH:
                return total

    return purge


def _offers(session: Session, now: Now, _state: AppState) -> int:
    # an expired offer whose access token still lives is kept: the token's /credential calls
    # need it (the token rows go first, in their own step, once they expire)
    doomed = select(Oid4vciOffer.id).where(  # type: ignore[call-overload]
        Oid4vciOffer.expires_at <= now.at,
        ~exists().where(Oid4vciAccessToken.offer_id == Oid4vciOffer.id),
    )
    ids = list(session.scalars(doomed))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        # the children by hand too: ON DELETE CASCADE is not relied upon
        session.execute(delete(Oid4vciOfferCredential).where(Oid4vciOfferCredential.offer_id.in_(chunk)))  # type: ignore[attr-defined]
        session.execute(delete(Oid4vciOffer).where(Oid4vciOffer.id.in_(chunk)))  # type: ignore[attr-defined]
        session.commit()
    return len(ids)


def _used_nonces(session: Session, now: Now, _state: AppState) -> int:
    return purge_used(session, now=now.epoch)


def _scan_marks(session: Session, now: Now, _state: AppState) -> int:
    return purge_scan_marks(session, now=now.epoch)


def _console_sessions(session: Session, now: Now, _state: AppState) -> int:
    return console_sessions.purge_expired(session, now=now.epoch)


def _presentation_results(session: Session, now: Now, _state: AppState) -> int:
    count = purge_uncollected_results(session, now=now.epoch)
    session.commit()
    return count


def _presentation_requests(session: Session, now: Now, state: AppState) -> int:
    # the request and its outcome stay pollable this long after the request expired
    cutoff = now.epoch - state.settings.presentation_request_retention_s
    count = session.execute(delete(PresentationRequest).where(PresentationRequest.expires_at <= cutoff)).rowcount  # type: ignore[arg-type]
    session.commit()
    return count


def _share_links(session: Session, now: Now, _state: AppState) -> int:
    count = session.execute(delete(ShareLink).where(ShareLink.expires_at <= now.at)).rowcount  # type: ignore[arg-type]
    session.commit()
    return count


def _stored_credentials(session: Session, now: Now, state: AppState) -> int:
    return credential_views.purge_expired(session, now=now.at, retention_days=state.settings.expired_credential_retention_days)


#: (table, what it purges), in this order: tokens before the offers they keep alive
PURGES: tuple[tuple[str, Callable[[Session, Now, AppState], int]], ...] = (
    ("issuers_oid4vci_nonce", _expiring(ExpiringTable.of(Oid4vciNonce))),
    ("issuers_oid4vci_access_token", _expiring(ExpiringTable.of(Oid4vciAccessToken))),
    ("issuers_oid4vci_offer", _offers),
    ("verifiers_used_nonce", _used_nonces),
    ("verifiers_qr_scan_mark", _scan_marks),
    ("console_session", _console_sessions),
    ("presentation_results", _presentation_results),
    ("verifiers_presentation_request", _presentation_requests),
    ("wallet_share_link", _share_links),
    ("wallet_sign_in_challenge", _expiring(ExpiringTable.of(SignInChallenge))),
    ("wallet_device_registration_challenge", _expiring(ExpiringTable.of(DeviceRegistrationChallenge))),
    ("wallet_access_token", _expiring(ExpiringTable.of(AccessToken))),
    ("wallet_used_identity_assertion", _expiring(ExpiringTable.of(UsedIdentityAssertion))),
    ("rate_limit_window", _expiring(WINDOWS, epoch=True)),
    ("wallet_stored_credential", _stored_credentials),
)


@contextmanager
def exclusive_run(engine: Engine) -> Iterator[bool]:
    """True when this process may run now: it holds the advisory lock (PostgreSQL) until the
    block ends; False when another worker runs. SQLite: always True."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as connection:
        # a session lock on this one connection, held across the run's own transactions
        held = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}).scalar())
        connection.commit()
        try:
            yield held
        finally:
            if held:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
                connection.commit()


def purge_expired_rows(state: AppState) -> dict[str, int] | None:
    """Run every purge once; rows deleted per table, or None when another worker is running."""
    with exclusive_run(state.engine) as mine:
        if not mine:
            return None
        now = Now(state.clock.now())
        purged: dict[str, int] = {}
        for name, purge in PURGES:
            with Session(state.engine, expire_on_commit=False) as session:
                purged[name] = int(purge(session, now, state) or 0)
        return purged


async def _periodically(state: AppState, interval_s: float) -> None:
    while True:
        await asyncio.sleep(interval_s)
        try:
            purged = await asyncio.to_thread(purge_expired_rows, state)
        except Exception as exc:  # noqa: BLE001 - the loop outlives a failed run; the next one retries
            # the class only: a database error's message may carry row values
            logger.error("maintenance run failed: %s", type(exc).__name__)
            continue
        if purged:
            logger.info("maintenance purged %d rows", sum(purged.values()))


def start_maintenance_task(state: AppState) -> asyncio.Task[None] | None:
    """Start the periodic purge in the running loop (None when the interval is 0); the
    lifespan cancels the task at shutdown."""
    interval_s = state.settings.maintenance_interval_s
    if interval_s <= 0:
        return None
    return asyncio.create_task(_periodically(state, interval_s), name="ecert-maintenance")
