"""``GET /readyz``: is this worker ready for traffic? Its database answers, the schema is at the
migrations' head, and an issuer key is active to sign with. ``/healthz`` stays liveness."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from keys.store import active_key
from schemas.errors import WalletError
from wallet_api.db.engines import alembic_config
from wallet_api.state import AppState
from wallet_api.db.unit_of_work import autocommit

OK = "ok"


class NotReady(WalletError):
    code, status, title = "not_ready", 503, "Not ready for traffic"


def readiness(state: AppState) -> dict[str, str]:
    """Each check's state (``ok`` or what is wrong); NotReady naming the first that fails."""
    checks: dict[str, str] = {}
    try:
        with autocommit(state.engine) as session:
            session.exec(text("SELECT 1"))  # type: ignore[call-overload]
            checks["database"] = OK
            head = ScriptDirectory.from_config(alembic_config(state.engine)).get_current_head()
            current = MigrationContext.configure(session.connection()).get_current_revision()
            checks["migrations"] = OK if current == head else f"at {current}, the code expects {head}"
            checks["signing_key"] = OK if active_key(session) is not None else "no active issuer key"
    except SQLAlchemyError:
        checks.setdefault("database", "unreachable")
    failing = next((name for name, state_ in checks.items() if state_ != OK), None)
    if failing is not None:
        raise NotReady(f"{failing}: {checks[failing]}", checks=checks)
    return checks
