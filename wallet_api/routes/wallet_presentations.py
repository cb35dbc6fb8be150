"""Submitting certificates: OpenID4VP requests, one-time viewing links, the history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from wallet_api.deps import ClockDep, SessionDep, StateDep
from wallet_api.auth.holders import CurrentHolder, OwnedConsent
from wallet_api.http.no_store import PERSONAL_DATA
from wallet_api.http.rate_limits import limit_anonymous
from wallet_api.wallet.consent_submission import submit
from wallet_api.deps import SealerDep, VerifierServicesDep
from wallet_api.wallet.deps import FetcherDep, ShareLinkPolicyDep, WalletServicesDep
from wallet_api.wallet.errors import ViewingCodeInUrl
from wallet_api.wallet.models import SubmissionPublic
from wallet_api.wallet.presentations import prepare, resolve
from wallet_api.wallet.share_links import create_share_link, view_share_link
from wallet_api.wallet.submissions import list_submissions
from wallet_api.api_models.base import typed
from wallet_api.api_models.wallet import PreparedPresentation, ResolvedRequest, SharedView, Submitted

router = APIRouter(tags=["wallet: submissions"], dependencies=[PERSONAL_DATA])


class ResolveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    uri: str = Field(max_length=4096)


class PrepareRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    #: a list of credential ids (matched to queries by type) or {query id: id | [ids]}
    credential_ids: list[str] | dict[str, str | list[str]]
    device_id: str = Field(max_length=32)


class SubmitRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kb_jwt_signature: str | None = Field(default=None, max_length=512)
    kb_jwt: str | None = Field(default=None, max_length=4096)
    #: several credentials: credential id → signature (or → KB-JWT)
    kb_jwt_signatures: dict[str, str] | None = None
    kb_jwts: dict[str, str] | None = None


class ShareLinkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    credential_id: str = Field(max_length=32)
    #: claim names, or DCQL claim paths
    claims: list[str | list[str | int | None]]
    device_id: str | None = Field(default=None, max_length=32)
    purpose: str | None = Field(default=None, max_length=500)


@router.post("/v1/wallet/presentations/resolve", **typed(ResolvedRequest, 400))
def resolve_request(
    body: ResolveRequest, holder: CurrentHolder, session: SessionDep, fetcher: FetcherDep, ctx: WalletServicesDep
) -> dict[str, Any]:
    return resolve(session, holder_id=holder.holder_id, uri=body.uri, fetcher=fetcher, ctx=ctx)


@router.post("/v1/wallet/presentations/{consent_id}/prepare", **typed(PreparedPresentation, 400, 404, 409))
def prepare_presentation(body: PrepareRequest, consent: OwnedConsent, session: SessionDep, ctx: WalletServicesDep) -> dict[str, Any]:
    return prepare(session, consent=consent, credential_ids=body.credential_ids, device_id=body.device_id, ctx=ctx)


@router.post("/v1/wallet/presentations/{consent_id}/submit", **typed(Submitted, 400, 404, 409))
def submit_presentation(
    body: SubmitRequest,
    consent: OwnedConsent,
    session: SessionDep,
    fetcher: FetcherDep,
    ctx: WalletServicesDep,
    policy: ShareLinkPolicyDep,
) -> dict[str, Any]:
    return submit(session, consent=consent, body=body.model_dump(exclude_none=True), fetcher=fetcher, ctx=ctx, policy=policy)


@router.post("/v1/wallet/share-links", status_code=status.HTTP_201_CREATED, **typed(PreparedPresentation, 400, 404, 409))
def new_share_link(
    body: ShareLinkRequest, holder: CurrentHolder, session: SessionDep, ctx: WalletServicesDep, policy: ShareLinkPolicyDep
) -> dict[str, Any]:
    return create_share_link(session, holder_id=holder.holder_id, body=body.model_dump(), ctx=ctx, policy=policy)


@router.get("/v1/shared/{link_id}", **typed(SharedView, 400, 401, 404, 410, 429))
def view_shared(
    link_id: str,
    request: Request,
    state: StateDep,
    session: SessionDep,
    services: VerifierServicesDep,
    sealer: SealerDep,
    policy: ShareLinkPolicyDep,
    clock: ClockDep,
    x_viewing_code: Annotated[str | None, Header(max_length=32)] = None,
    # not read: a code in the URL (the old form) is refused unevaluated, see ViewingCodeInUrl
    code: Annotated[str | None, Query(include_in_schema=False)] = None,
) -> JSONResponse:
    """The link's URL and its viewing code travel apart: the code only in ``X-Viewing-Code``."""
    limit_anonymous(state, request, "share_link_view", kind="link", credential=link_id)
    if code is not None:
        raise ViewingCodeInUrl()
    result = view_share_link(
        session,
        link_id=link_id,
        code=x_viewing_code,
        services=services,
        sealer=sealer,
        policy=policy,
        now=clock.now(),
    )
    return JSONResponse(jsonable_encoder(result), headers={"Cache-Control": "no-store"})


@router.get("/v1/wallet/submissions")
def submissions(holder: CurrentHolder, session: SessionDep) -> list[SubmissionPublic]:
    return list_submissions(session, holder_id=holder.holder_id)
