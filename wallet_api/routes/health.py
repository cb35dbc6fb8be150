"""Liveness (``/healthz``: the process and its database answer) and readiness (``/readyz``)."""

from fastapi import APIRouter, Header, Response
from sqlalchemy import text

from wallet_api.deps import StateDep
from wallet_api.state import AppState
from wallet_api.db.unit_of_work import autocommit, in_one_hop
from wallet_api.api_models.base import typed
from wallet_api.api_models.issuing import Health, Ready
from wallet_api.http.metrics import authorize_scrape, exposition
from wallet_api.http.readiness import readiness

router = APIRouter(tags=["health"])


def _database_answers(state: AppState) -> None:
    # autocommit: SELECT 1 alone, without a BEGIN and a ROLLBACK around it
    with autocommit(state.engine) as session:
        session.exec(text("SELECT 1"))  # type: ignore[call-overload]


@router.get("/healthz", **typed(Health))
async def healthz(state: StateDep) -> dict[str, str]:
    await in_one_hop(_database_answers, state)
    return {"status": "ok"}


@router.get("/readyz", **typed(Ready, 503))
async def readyz(state: StateDep) -> dict[str, object]:
    """200 with every check when ready; 503 problem+json ``not_ready`` naming the failing one."""
    return {"status": "ready", "checks": await in_one_hop(readiness, state)}


@router.get("/metrics", include_in_schema=False)
async def metrics(state: StateDep, authorization: str | None = Header(None)) -> Response:
    """Prometheus text format; ``ECERT_METRICS_TOKEN`` protects it (see wallet_api.http.metrics)."""
    authorize_scrape(state.settings, authorization)
    body, media_type = exposition(state.engine.pool.checkedout())  # type: ignore[attr-defined]
    return Response(body, media_type=media_type, headers={"Cache-Control": "no-store"})
