"""The wallet-facing OpenID4VP endpoints: ``request_uri`` and the ``direct_post`` response_uri.

No relying-party credentials here: the wallet reaches these from the QR. Errors use the
OAuth error body (``{"error": …}``) as OpenID4VP expects.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Response

from verifiers.models import UsedNonce
from verifiers.oid4vp.presentation_requests import REQUEST_OBJECT_MEDIA_TYPE, receive_response, request_object
from wallet_api.deps import ClockDep, SessionDep, StateDep
from wallet_api.db.expired_rows import ExpiringTable
from wallet_api.problems import use_oauth_errors
from wallet_api.http.rate_limits import anonymous_limit
from wallet_api.deps import VerifierServicesDep
from wallet_api.api_models.base import binary, typed
from wallet_api.api_models.verifier import DirectPostAnswer


router = APIRouter(prefix="/openid4vp", tags=["openid4vp"], dependencies=[Depends(use_oauth_errors)])
#: each verified presentation leaves a replay mark; marks past their expiry go in batches
USED_NONCES = ExpiringTable.of(UsedNonce)


@router.get(
    "/requests/{request_id}", response_class=Response,
    **binary(REQUEST_OBJECT_MEDIA_TYPE, 400, description="the signed request object (JAR)"),
)
def get_request_object(request_id: str, session: SessionDep, services: VerifierServicesDep, clock: ClockDep) -> Response:
    token = request_object(session, request_id=request_id, services=services, now=clock.epoch())
    return Response(token, media_type=REQUEST_OBJECT_MEDIA_TYPE, headers={"Cache-Control": "no-store"})


@router.post(
    "/responses/{request_id}", dependencies=[Depends(anonymous_limit("openid4vp_response"))], **typed(DirectPostAnswer, 400)
)
def post_response(
    request_id: str,
    session: SessionDep,
    services: VerifierServicesDep,
    clock: ClockDep,
    app_state: StateDep,
    state: Annotated[str | None, Form(max_length=512)] = None,
    vp_token: Annotated[str | None, Form(max_length=1024 * 1024)] = None,
    error: Annotated[str | None, Form(max_length=256)] = None,
    error_description: Annotated[str | None, Form(max_length=1024)] = None,
) -> dict[str, Any]:
    form = {"state": state, "vp_token": vp_token, "error": error, "error_description": error_description}
    answer = receive_response(session, request_id=request_id, form=form, services=services, now=clock.epoch())
    # - 1: a mark still counts in its last second (verifiers.used_nonces.purge_used: < now)
    if app_state.sweeper.after_insert(session, USED_NONCES, now=clock.epoch() - 1):
        session.commit()
    return answer
