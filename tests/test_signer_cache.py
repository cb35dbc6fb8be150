"""SignerCache: which key is active is re-read at most every ``active_recheck_s``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from keys.store import SignerCache, ensure_active_key, rotate_key

PASS = b"signer-cache-test"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_rotation_is_seen_within_the_recheck_interval(session: Session) -> None:
    ensure_active_key(session, passphrase=PASS, alg="ES256", now=T0)
    ticks = Ticks()
    cache = SignerCache(PASS, active_recheck_s=5.0, monotonic=ticks)
    old = cache.active_signer(session)
    new = rotate_key(session, passphrase=PASS, alg="ES256", now=T0 + timedelta(days=1), max_validity=timedelta(days=90))
    ticks.now = 4.9
    assert cache.active_signer(session).kid == old.kid  # bounded staleness: the retired key is still published
    ticks.now = 5.0
    assert cache.active_signer(session).kid == new.kid


def test_without_a_recheck_interval_every_call_reads_the_database(session: Session) -> None:
    ensure_active_key(session, passphrase=PASS, alg="ES256", now=T0)
    cache = SignerCache(PASS, monotonic=Ticks())
    old = cache.active_signer(session)
    new = rotate_key(session, passphrase=PASS, alg="ES256", now=T0 + timedelta(days=1), max_validity=timedelta(days=90))
    assert (old.kid, cache.active_signer(session).kid) == (old.kid, new.kid)
