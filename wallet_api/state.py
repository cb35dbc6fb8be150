"""What the running app holds: built once in the lifespan, reached through deps.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.engine import Engine

from keys.store import SignerCache
from schemas.registry import TypeRegistry
from wallet_api.clock import Clock
from wallet_api.settings import Settings


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    registry: TypeRegistry
    clock: Clock
    signers: SignerCache
    extras: dict[str, object] = field(default_factory=dict)

    @property
    def max_validity(self) -> timedelta:
        """No credential outlives this: how long a retired key stays published."""
        return timedelta(days=max((t.validity_days for t in self.registry.all()), default=365))
