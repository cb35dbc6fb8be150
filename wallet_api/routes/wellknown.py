from typing import Any

from fastapi import APIRouter

from keys.store import jwks
from wallet_api.deps import ClockDep, SessionDep, SettingsDep
from wallet_api.api_models.base import typed
from wallet_api.api_models.issuing import JwtVcIssuerMetadata

router = APIRouter(tags=["well-known"])


@router.get("/.well-known/jwt-vc-issuer", **typed(JwtVcIssuerMetadata))
def jwt_vc_issuer(session: SessionDep, settings: SettingsDep, clock: ClockDep) -> dict[str, Any]:
    """SD-JWT VC issuer metadata: the issuer identifier and its public keys."""
    return {"issuer": settings.issuer_id, "jwks": jwks(session, now=clock.now())}
