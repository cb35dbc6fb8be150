"""Relying-party verification API: ``POST /v1/verify`` and OpenID4VP presentation requests."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from verifiers.direct_verification import verify_for_relying_party
from verifiers.oid4vp.presentation_requests import create_presentation_request, read_request, request_uri_of
from qr_symbols.images import render_png, render_svg
from verifiers.models import RelyingParty
from verifiers.verifier_services import VerifierServices
from wallet_api.deps import ClockDep, SessionDep, state_of
from wallet_api.http.no_store import PERSONAL_DATA
from wallet_api.http.metrics import record_verification
from wallet_api.http.rate_limits import limit_verification
from wallet_api.auth.relying_parties import CurrentRelyingParty
from wallet_api.state import AppState
from wallet_api.db.unit_of_work import reads_and_atomic_writes, run_unit
from wallet_api.deps import VerifierServicesDep
from wallet_api.api_models.base import binary, typed
from wallet_api.api_models.verifier import PresentationRequestCreated, PresentationRequestState, VerifyAnswer

router = APIRouter(prefix="/v1", tags=["verifier"], dependencies=[PERSONAL_DATA])


class VerifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    presentation: str = Field(min_length=1, max_length=256 * 1024, description="<SD-JWT>~<disclosures>~<KB-JWT>")
    nonce: str | None = Field(default=None, max_length=512)
    audience: str | None = Field(default=None, max_length=512, description="the party's own client_id (the default)")
    profile: str | None = Field(
        default=None, max_length=64, description="default: the party's registered profile; another must be no weaker"
    )


class PresentationRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dcql_query: dict[str, Any]
    purpose: str = Field(min_length=1, max_length=500)


# the checks only read (keys and status lists are cached), and the one write, the replay
# mark, is a single INSERT … ON CONFLICT DO NOTHING RETURNING, atomic by itself
@reads_and_atomic_writes
def _verify_unit(
    session: Session, state: AppState, services: VerifierServices, party: RelyingParty, body: VerifyRequest
) -> dict[str, Any]:
    return verify_for_relying_party(
        session,
        relying_party=party,
        presentation=body.presentation,
        nonce=body.nonce,
        audience=body.audience,
        services=services,
        now=state.clock.epoch(),
        profile=body.profile,
    )


@router.post("/verify", **typed(VerifyAnswer))
async def verify(body: VerifyRequest, party: CurrentRelyingParty, request: Request) -> dict[str, Any]:
    """Verify one SD-JWT VC presentation; 200 with ``valid`` and ``code`` for any judgeable one."""
    # the hottest route: state and services looked up here, not as dependencies (see state_of)
    state = state_of(request)
    await limit_verification(state, request, "verify", party=party.client_id)
    answer = await run_unit(state, _verify_unit, state, state.verifier, party, body)
    record_verification("sd_jwt", answer)
    return answer


@router.post("/presentation-requests", status_code=201, **typed(PresentationRequestCreated))
def create_request(
    body: PresentationRequestIn,
    party: CurrentRelyingParty,
    session: SessionDep,
    services: VerifierServicesDep,
    clock: ClockDep,
) -> dict[str, Any]:
    """Start an OpenID4VP request; show ``uri`` (or its QR) to the holder's wallet."""
    created = create_presentation_request(
        session, relying_party=party, dcql_query=body.dcql_query, purpose=body.purpose, services=services, now=clock.epoch()
    )
    return {"id": created.id, "uri": created.uri, "request_uri": created.request_uri, "expires_at": created.expires_at}


@router.get("/presentation-requests/{request_id}", **typed(PresentationRequestState, 404))
def get_request(
    request_id: str, party: CurrentRelyingParty, session: SessionDep, services: VerifierServicesDep, clock: ClockDep,
    response: Response,
) -> dict[str, Any]:
    """Poll: ``pending`` until the wallet answers, then ``done``. The first ``done`` poll carries
    the result per credential query (``result_state: handed_over``) and the service deletes
    it; later polls get ``result: null``, ``result_state: collected`` and the ``outcome``
    (``valid``, ``code``, ``match`` per query). Uncollected results are deleted after
    ``ECERT_PRESENTATION_RESULT_RETENTION_S`` (``purged``)."""
    response.headers["Cache-Control"] = "no-store"
    return read_request(session, relying_party=party, request_id=request_id, sealer=services.sealer, now=clock.epoch())


def _uri(session: SessionDep, party: CurrentRelyingParty, request_id: str, services: VerifierServicesDep, clock: ClockDep) -> str:
    return request_uri_of(session, relying_party=party, request_id=request_id, services=services, now=clock.epoch())


@router.get(
    "/presentation-requests/{request_id}/qr.png", response_class=Response,
    **binary("image/png", 404, description="the request link as a QR code"),
)
def request_qr_png_route(
    request_id: str, party: CurrentRelyingParty, session: SessionDep, services: VerifierServicesDep, clock: ClockDep
) -> Response:
    uri = _uri(session, party, request_id, services, clock)
    return Response(render_png(uri), media_type="image/png", headers={"Cache-Control": "no-store"})


@router.get(
    "/presentation-requests/{request_id}/qr.svg", response_class=Response,
    **binary("image/svg+xml", 404, description="the request link as a QR code"),
)
def request_qr_svg_route(
    request_id: str, party: CurrentRelyingParty, session: SessionDep, services: VerifierServicesDep, clock: ClockDep
) -> Response:
    uri = _uri(session, party, request_id, services, clock)
    return Response(render_svg(uri), media_type="image/svg+xml", headers={"Cache-Control": "no-store"})
