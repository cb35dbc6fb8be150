"""Holders and their devices: enrolment, the development identity provider, device keys."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from schemas.errors import NotFound
from wallet_api.deps import ClockDep, SessionDep, SettingsDep, StateDep
from wallet_api.auth.holders import CurrentHolder, EnrollingHolder, OwnedDevice
from wallet_api.http.no_store import PERSONAL_DATA
from wallet_api.http.rate_limits import anonymous_limit, asserted_identity, limit_anonymous
from wallet_api.deps import SealerDep
from wallet_api.wallet.devices import (
    DEVICE_REGISTRATION_TYP,
    create_registration_challenge,
    list_devices,
    register_device,
    revoke_device,
)
from wallet_api.wallet.enrolment import enrol_with_assertion
from wallet_api.wallet.models import DevicePublic
from wallet_api.api_models.base import errors, typed
from wallet_api.api_models.wallet import DevIdentityAssertion, DeviceChallenge, HolderEnrolled

router = APIRouter(tags=["wallet: holders"], dependencies=[PERSONAL_DATA])


class EnrolmentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    identity_assertion: str = Field(max_length=8192)


class DevAssertionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    person_id: str = Field(max_length=32)


class DeviceRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    jwk: dict[str, Any]
    name: str = Field(default="", max_length=100)
    #: compact JWS by this jwk's key over {"challenge", "aud", "iat"} (typ ecert-device-registration+jwt);
    #: optional here so that leaving it out is the stable code device_proof_required
    proof: str | None = Field(default=None, max_length=4096)


@router.post(
    "/v1/holders", status_code=status.HTTP_201_CREATED,
    **typed(HolderEnrolled, 400, 401, 403, 429, success={200: HolderEnrolled}),
)
def enrol(body: EnrolmentRequest, request: Request, session: SessionDep, state: StateDep, clock: ClockDep) -> JSONResponse:
    settings = state.settings
    limit_anonymous(state, request, "enrolment", kind="person", credential=asserted_identity(body.identity_assertion))
    enrolled = enrol_with_assertion(
        session,
        assertion=body.identity_assertion,
        providers=state.identity_providers,
        audience=settings.issuer_id,
        population=state.population,
        sealer=state.sealer,
        now=clock.now(),
        max_age_s=settings.identity_assertion_max_age_s,
        leeway_s=settings.clock_skew_s,
        token_ttl_s=settings.enrolment_token_ttl_s,
        sweeper=state.sweeper,
    )
    token = enrolled.enrolment_token
    return JSONResponse(
        {
            "holder_id": enrolled.holder_id,
            "created": enrolled.created,
            "enrolment_token": token.access_token,
            "token_type": "Bearer",
            "scope": token.scope,
            "expires_at": token.expires_at.isoformat(),
        },
        status_code=status.HTTP_201_CREATED if enrolled.created else status.HTTP_200_OK,
        headers={"Cache-Control": "no-store"},
    )


@router.post("/v1/dev/identity-assertions", dependencies=[Depends(anonymous_limit("dev_identity"))], **typed(DevIdentityAssertion, 404))
def dev_identity_assertion(body: DevAssertionRequest, state: StateDep, settings: SettingsDep, clock: ClockDep) -> dict[str, str]:
    if settings.environment != "development":
        raise NotFound("not found")
    provider = state.dev_identity_provider
    if provider is None:
        raise NotFound("not found")
    assertion = provider.assert_for(state.population, person_id=body.person_id, now=clock.now())
    return {"identity_assertion": assertion, "issuer": provider.issuer}


@router.post("/v1/holders/me/devices/challenge", **typed(DeviceChallenge))
def device_challenge(holder: EnrollingHolder, session: SessionDep, settings: SettingsDep, clock: ClockDep) -> JSONResponse:
    row = create_registration_challenge(
        session, holder_id=holder.holder_id, now=clock.now(), ttl_s=settings.sign_in_challenge_ttl_s
    )
    return JSONResponse(
        {
            "challenge": row.id,
            "aud": settings.issuer_id,
            "typ": DEVICE_REGISTRATION_TYP,
            "expires_at": row.expires_at.isoformat(),
        },
        headers={"Cache-Control": "no-store"},
    )


@router.post("/v1/holders/me/devices", status_code=status.HTTP_201_CREATED, **errors(400, 409))
def add_device(
    body: DeviceRequest, holder: EnrollingHolder, session: SessionDep, settings: SettingsDep, sealer: SealerDep, clock: ClockDep
) -> DevicePublic:
    return register_device(
        session,
        holder_id=holder.holder_id,
        jwk=body.jwk,
        name=body.name,
        proof=body.proof,
        audience=settings.issuer_id,
        sealer=sealer,
        now=clock.now(),
        leeway_s=settings.clock_skew_s,
    )


@router.get("/v1/holders/me/devices")
def get_devices(holder: CurrentHolder, session: SessionDep) -> list[DevicePublic]:
    return list_devices(session, holder_id=holder.holder_id)


@router.delete("/v1/holders/me/devices/{device_id}", **errors(404))
def delete_device(device: OwnedDevice, session: SessionDep, sealer: SealerDep, clock: ClockDep) -> DevicePublic:
    return revoke_device(session, device=device, sealer=sealer, now=clock.now())
