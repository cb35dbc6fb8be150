"""OpenID4VCI 1.0 issuer endpoints, and the admin endpoint that creates credential offers.

The OAuth endpoints (token, nonce, credential) answer errors with the spec's
``{"error", "error_description"}`` body; their raw bodies are handed to the domain parsers
so that a malformed request gets the spec's error code rather than a framework 422.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from issuers.oid4vci.credential_request import (
    ProofPolicy,
    credential_response,
    issue_requested_credential,
    parse_credential_request,
)
from issuers.oid4vci.models import Oid4vciAccessToken, Oid4vciNonce
from issuers.oid4vci.metadata import authorization_server_metadata, credential_issuer_metadata
from issuers.oid4vci.nonces import issue_nonce
from issuers.oid4vci.offers import OfferCreated, create_offer, offer_by_reference, subject_for_person
from issuers.oid4vci.tokens import (
    authenticate_access_token_with_subject,
    parse_token_request,
    redeem_pre_authorized_code,
)
from issuers.audit_trail import ACTOR_OPERATOR
from wallet_api.admin.audit_log import record_offer, request_id_of
from wallet_api.auth.operators import OperatorDep
from wallet_api.http.metrics import record_issuance
from wallet_api.deps import ClockDep, SessionDep, SettingsDep, StateDep
from wallet_api.db.expired_rows import ExpiringTable
from wallet_api.wiring.issuing import IssuerServicesDep, issuer_services
from wallet_api.problems import use_oauth_errors
from wallet_api.http.rate_limits import client_address
from wallet_api.state import AppState
from wallet_api.db.unit_of_work import autocommit, in_one_hop, transaction
from wallet_api.api_models.base import errors, typed
from wallet_api.api_models.issuing import (
    AccessToken,
    AuthorizationServerMetadata,
    CREDENTIAL_REQUEST_BODY,
    TOKEN_REQUEST_BODY,
    CredentialAnswer,
    CredentialIssuerMetadata,
    CredentialOffer,
    Nonce,
)

NO_STORE = {"Cache-Control": "no-store"}
NONCES = ExpiringTable.of(Oid4vciNonce)
ACCESS_TOKENS = ExpiringTable.of(Oid4vciAccessToken)


async def _form_fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


async def _raw_body(request: Request) -> bytes:
    return await request.body()


_bearer = HTTPBearer(auto_error=False, scheme_name="OpenID4VCIAccessToken")


FormFields = Annotated[dict[str, str], Depends(_form_fields)]
RawBody = Annotated[bytes, Depends(_raw_body)]

metadata_router = APIRouter(tags=["OpenID4VCI"])
oauth_router = APIRouter(tags=["OpenID4VCI"], dependencies=[Depends(use_oauth_errors)])
admin_router = APIRouter(prefix="/v1/admin", tags=["issuer admin"])


@metadata_router.get("/.well-known/openid-credential-issuer", **typed(CredentialIssuerMetadata))
def issuer_metadata(context: IssuerServicesDep) -> dict[str, Any]:
    return credential_issuer_metadata(context.registry, issuer_id=context.issuer_id, signing_algs=[context.signer.alg])


@metadata_router.get("/.well-known/oauth-authorization-server", **typed(AuthorizationServerMetadata))
def oauth_metadata(settings: SettingsDep) -> dict[str, Any]:
    return authorization_server_metadata(settings.issuer_id)


@metadata_router.get("/oid4vci/offers/{reference}", **typed(CredentialOffer, 404))
def credential_offer(reference: str, session: SessionDep, context: IssuerServicesDep, clock: ClockDep, response: Response) -> dict[str, Any]:
    """The offer behind a ``credential_offer_uri`` (it holds the pre-authorized code)."""
    response.headers.update(NO_STORE)
    return offer_by_reference(session, reference=reference, issuer_id=context.issuer_id, sealer=context.sealer, now=clock.now())


def _token_unit(state: AppState, form: dict[str, str], address: str) -> dict[str, Any]:
    # anonymous, and guesses at a tx_code land here: counted before anything is looked up
    # per address, and per pre-authorized code: tx_code guesses at one offer from many addresses
    code = form.get("pre-authorized_code") or ""
    state.rate_limiter.check(bucket="oid4vci_token", address=address, now=state.clock.epoch(), credential=("code", code))
    request = parse_token_request(form)
    now = state.clock.now()
    with transaction(state.engine) as session:
        ttl = timedelta(seconds=state.settings.access_token_ttl_s)
        issued = redeem_pre_authorized_code(session, request=request, now=now, ttl=ttl).response()
        state.sweeper.after_insert(session, ACCESS_TOKENS, now=now)
        session.commit()
        return issued


@oauth_router.post("/token", **typed(AccessToken, 400), openapi_extra={"requestBody": TOKEN_REQUEST_BODY})
async def token(form: FormFields, state: StateDep, request: Request, response: Response) -> dict[str, Any]:
    response.headers.update(NO_STORE)
    return await in_one_hop(_token_unit, state, form, client_address(request))


def _nonce_unit(state: AppState, address: str) -> str:
    # the rate limit in this hop, not as a dependency: a dependency would cost a hop of its own
    state.rate_limiter.check(bucket="oid4vci_nonce", address=address, now=state.clock.epoch())
    now = state.clock.now()
    # autocommit: the sweep and the insert each stand alone (a nonce needs no company)
    with autocommit(state.engine) as session:
        state.sweeper.after_insert(session, NONCES, now=now)
        return issue_nonce(session, now=now, ttl=timedelta(seconds=state.settings.nonce_ttl_s))


@oauth_router.post("/nonce", **typed(Nonce))
async def nonce(state: StateDep, request: Request, response: Response) -> dict[str, str]:
    response.headers.update(NO_STORE)
    return {"c_nonce": await in_one_hop(_nonce_unit, state, client_address(request))}


def _credential_unit(state: AppState, access_token: str | None, body: bytes) -> dict[str, Any]:
    settings = state.settings
    now = state.clock.now()
    with transaction(state.engine) as session:
        # token first: an anonymous caller is refused before its body is parsed
        grant, subject_sealed = authenticate_access_token_with_subject(session, access_token=access_token, now=now)
        request = parse_credential_request(body)
        issued = issue_requested_credential(
            session,
            context=issuer_services(state, session),
            grant=grant,
            request=request,
            policy=ProofPolicy(clock_skew_s=settings.clock_skew_s, max_age_s=settings.nonce_ttl_s),
            now=now,
            subject_sealed=subject_sealed,
        )
    record_issuance(request.credential_configuration_id)
    return credential_response(issued)


@oauth_router.post("/credential", **typed(CredentialAnswer, 400), openapi_extra={"requestBody": CREDENTIAL_REQUEST_BODY})
async def credential(
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    body: RawBody,
    state: StateDep,
    response: Response,
) -> dict[str, Any]:
    """One hop: token + offer (one query), active key, slot, nonce, grant, record, one COMMIT."""
    response.headers.update(NO_STORE)
    return await in_one_hop(_credential_unit, state, bearer.credentials if bearer else None, body)


class OfferRequest(BaseModel):
    type_ids: list[str] = Field(min_length=1, max_length=16)
    person_id: str = Field(min_length=1, max_length=64)
    tx_code: bool = False
    #: put a credential_offer_uri in the link instead of the whole offer (smaller QR code)
    by_reference: bool = False


class OfferPublic(BaseModel):
    offer_id: str
    offer_uri: str
    credential_offer: dict[str, Any]
    credential_offer_uri: str | None
    #: hand this to the person by another channel than the offer link (SMS, counter)
    tx_code: str | None
    expires_at: datetime

    @classmethod
    def of(cls, created: OfferCreated) -> "OfferPublic":
        return cls(
            offer_id=created.offer_id,
            offer_uri=created.offer_uri,
            credential_offer=created.credential_offer,
            credential_offer_uri=created.credential_offer_uri,
            tx_code=created.tx_code,
            expires_at=created.expires_at,
        )


@admin_router.post("/offers", status_code=201, **errors(404))
def create_credential_offer(
    request: Request,
    body: OfferRequest,
    operator: OperatorDep,
    state: StateDep,
    session: SessionDep,
    context: IssuerServicesDep,
    clock: ClockDep,
) -> OfferPublic:
    """An operator offers its own agency's certificates to a person (pre-authorized code flow)."""
    population = state.population
    created = create_offer(
        session,
        context=context,
        type_ids=body.type_ids,
        subject=subject_for_person(population, body.person_id),
        with_tx_code=body.tx_code,
        now=clock.now(),
        ttl=timedelta(seconds=state.settings.offer_ttl_s),
        created_by=operator.id,
        by_reference=body.by_reference,
        agency_id=operator.agency_id,
    )
    record_offer(session, state, created, actor=f"{ACTOR_OPERATOR}{operator.id}", agency_id=operator.agency_id,
                 request_id=request_id_of(request), now=clock.now())
    return OfferPublic.of(created)


router = APIRouter()
for _sub in (metadata_router, oauth_router, admin_router):
    router.include_router(_sub)
