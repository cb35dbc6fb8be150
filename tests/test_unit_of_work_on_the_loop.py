"""``run_unit``: a domain function runs in the unit of work it declares, on SQLite (one
threadpool hop) and on PostgreSQL (inline on the event loop, database round trips awaited)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from verifiers.models import UsedNonce
from verifiers.qr.scan_marks import mark_scanned
from verifiers.used_nonces import mark_used
from wallet_api.wiring.bootstrap import build_state
from wallet_api.state import AppState
from wallet_api.db.unit_of_work import make_async_engines, one_transaction, reads_and_atomic_writes, run_unit


def _marks(state: AppState, digest: str) -> int:
    with Session(state.engine) as session:
        return int(session.execute(select(func.count()).select_from(UsedNonce).where(UsedNonce.digest == digest)).scalar_one())


@reads_and_atomic_writes
def _mark(session: Session, digest: str) -> tuple[int, bool, bool]:
    first = mark_used(session, digest=digest, scope="aud", now=100, expires_at=200)
    again = mark_used(session, digest=digest, scope="aud", now=101, expires_at=200)
    return threading.get_ident(), first, again


def _run(state: AppState, scenario: Any) -> Any:
    async def main() -> Any:
        # as the app's lifespan does: created in the loop, disposed at the end
        state.async_engines = make_async_engines(state.engine)
        try:
            return threading.get_ident(), await scenario()
        finally:
            if state.async_engines is not None:
                await state.async_engines.dispose()
            state.async_engines = None

    return asyncio.run(main())


def test_the_unit_runs_on_the_loop_where_the_driver_is_async_and_in_a_thread_on_sqlite(settings: Any) -> None:
    state = build_state(settings)
    try:
        loop_thread, (unit_thread, first, again) = _run(state, lambda: run_unit(state, _mark, "d-1"))
        assert (first, again) == (True, False)  # insert-or-nothing, decided by the database
        on_postgres = state.engine.dialect.name == "postgresql"
        assert (unit_thread == loop_thread) is on_postgres
        assert _marks(state, "d-1") == 1
    finally:
        state.engine.dispose()


def test_autocommit_keeps_each_statement_and_a_transaction_keeps_only_what_it_commits(settings: Any) -> None:
    state = build_state(settings)
    try:
        async def scenario() -> None:
            kept = reads_and_atomic_writes(lambda s: mark_used(s, digest="kept", scope="aud", now=1, expires_at=9))
            dropped = one_transaction(lambda s: mark_used(s, digest="dropped", scope="aud", now=1, expires_at=9))

            @one_transaction
            def commit(s: Session) -> None:
                mark_used(s, digest="committed", scope="aud", now=1, expires_at=9)
                s.commit()

            for unit in (kept, dropped, commit):
                await run_unit(state, unit)

        _run(state, scenario)
        assert (_marks(state, "kept"), _marks(state, "dropped"), _marks(state, "committed")) == (1, 0, 1)
    finally:
        state.engine.dispose()


def test_a_second_scan_learns_when_the_first_one_was(settings: Any) -> None:
    state = build_state(settings)
    try:
        @reads_and_atomic_writes
        def scan(s: Session, now: int) -> int | None:
            return mark_scanned(s, scope="mobile_id", mark="m" * 64, relying_party_id="rp", now=now, expires_at=now + 60)

        async def scenario() -> tuple[int | None, int | None]:
            return await run_unit(state, scan, 1000), await run_unit(state, scan, 1005)

        _, answers = _run(state, scenario)
        assert answers == (None, 1000)
    finally:
        state.engine.dispose()


def test_a_function_that_declares_no_unit_is_refused(settings: Any) -> None:
    import pytest

    state = build_state(settings)
    try:
        with pytest.raises(TypeError, match="declares no unit of work"):
            _run(state, lambda: run_unit(state, lambda s: None))
    finally:
        state.engine.dispose()
