"""Device sign-in: a single-use challenge, signed by the device key, for an access token."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from wallet_api.deps import ClockDep, SessionDep, StateDep
from wallet_api.http.rate_limits import anonymous_limit, limit_anonymous
from wallet_api.wallet.sign_in import SIGN_IN_TYP, create_challenge, sign_in
from wallet_api.api_models.base import typed
from wallet_api.api_models.wallet import HolderAccessToken, SignInChallenge

router = APIRouter(prefix="/v1/auth", tags=["wallet: sign-in"])
TOKEN_PATH = "/v1/auth/token"


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    #: compact JWS by the device key over {"challenge", "aud", "iat"}
    proof: str = Field(max_length=4096)
    device_id: str | None = Field(default=None, max_length=32)


@router.post("/challenge", dependencies=[Depends(anonymous_limit("auth_challenge"))], **typed(SignInChallenge))
def challenge(session: SessionDep, state: StateDep, clock: ClockDep) -> dict[str, Any]:
    settings = state.settings
    row = create_challenge(session, now=clock.now(), ttl_s=settings.sign_in_challenge_ttl_s, sweeper=state.sweeper)
    return {
        "challenge": row.id,
        "expires_at": row.expires_at,
        "aud": settings.issuer_id + TOKEN_PATH,
        "typ": SIGN_IN_TYP,
    }


@router.post("/token", **typed(HolderAccessToken, 400, 401, 429))
def token(body: TokenRequest, request: Request, session: SessionDep, state: StateDep, clock: ClockDep) -> JSONResponse:
    settings = state.settings
    # per device: the device id, else the proof's header (it names the device key)
    device = body.device_id or body.proof.partition(".")[0]
    limit_anonymous(state, request, "auth_token", kind="device", credential=device)
    issued = sign_in(
        session,
        proof=body.proof,
        device_id=body.device_id,
        audience=settings.issuer_id + TOKEN_PATH,
        now=clock.now(),
        leeway_s=settings.clock_skew_s,
        token_ttl_s=settings.holder_access_token_ttl_s,
        sweeper=state.sweeper,
    )
    expires_in = int((issued.expires_at - clock.now()).total_seconds())
    return JSONResponse(
        {"access_token": issued.access_token, "token_type": "Bearer", "expires_in": expires_in, "scope": issued.scope},
        headers={"Cache-Control": "no-store"},
    )
