"""What the running app holds: built once in the lifespan, reached through deps.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

from keys.store import SignerCache
from schemas.registry import TypeRegistry
from wallet_api.clock import Clock
from wallet_api.expired_rows import ExpiredRowSweeper
from wallet_api.settings import Settings

if TYPE_CHECKING:
    from wallet_api.rate_limits import RateLimiter


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    registry: TypeRegistry
    clock: Clock
    signers: SignerCache
    #: bounded sweeps of expired rows on the request path (see expired_rows)
    sweeper: ExpiredRowSweeper
    #: limits for anonymous callers, counted in the database (see rate_limits)
    rate_limiter: "RateLimiter"
    extras: dict[str, object] = field(default_factory=dict)

    @property
    def max_validity(self) -> timedelta:
        """No credential outlives this: how long a retired key stays published."""
        return timedelta(days=max((t.validity_days for t in self.registry.all()), default=365))
