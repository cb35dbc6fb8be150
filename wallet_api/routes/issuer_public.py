"""Public issuer resources: status lists, vct type metadata, document-number checks."""

from typing import Any

from fastapi import APIRouter, Header, Response
from fastapi.responses import HTMLResponse

from issuers.credential_status import document_check
from issuers.pipeline import vct_for
from issuers.type_metadata import vct_type_metadata
from schemas.errors import NotFound
from schemas.status_list import STATUS_LIST_MEDIA_TYPE
from wallet_api.deps import ClockDep, RegistryDep, SessionDep, SettingsDep, StateDep
from wallet_api.http.no_store import PERSONAL_DATA
from wallet_api.qr.document_page import PAGE_POLICY, document_not_found_page, document_page, wants_html
from wallet_api.admin.status_publishing import status_list_token_for
from wallet_api.api_models.base import binary, typed
from wallet_api.api_models.issuing import DocumentCheck, VctTypeMetadata

router = APIRouter(tags=["issuer"])


@router.get(
    "/status-lists/{uri_id}", response_class=Response,
    **binary(STATUS_LIST_MEDIA_TYPE, 404, description="the status list token (JWT)"),
)
def status_list(uri_id: str, state: StateDep, session: SessionDep, clock: ClockDep) -> Response:
    token, ttl = status_list_token_for(state, session, uri_id=uri_id, now=clock.epoch())
    return Response(token, media_type=STATUS_LIST_MEDIA_TYPE, headers={"Cache-Control": f"max-age={ttl}"})


@router.get("/vct/{type_id}", **typed(VctTypeMetadata, 404))
def vct_metadata(type_id: str, registry: RegistryDep, settings: SettingsDep) -> dict[str, Any]:
    """SD-JWT VC type metadata for the vct URL of a certificate type."""
    type_def = registry.get(type_id)
    return vct_type_metadata(type_def, vct_for(settings.issuer_id, type_id))


#: JSON for programs; the same answer as a page for a browser (the phone that scanned a printed copy)
DOCUMENT_CHECK_ANSWERS = typed(DocumentCheck, 404)
DOCUMENT_CHECK_ANSWERS["responses"][200] = {
    "description": "the check; `Accept: text/html` first gives it as a page in Korean and English",
    "content": {"text/html": {"schema": {"type": "string"}}},
}


@router.get("/v1/documents/{document_number}", dependencies=[PERSONAL_DATA], **DOCUMENT_CHECK_ANSWERS)
def check_document(
    document_number: str, session: SessionDep, registry: RegistryDep, clock: ClockDep, accept: str | None = Header(None)
) -> Any:
    """문서확인번호: is a printed copy genuine and current? Says nothing about its holder."""
    if not wants_html(accept):
        return document_check(session, document_number=document_number, registry=registry, now=clock.now())
    headers = {"Content-Security-Policy": PAGE_POLICY}
    try:
        answer = document_check(session, document_number=document_number, registry=registry, now=clock.now())
    except NotFound:
        return HTMLResponse(document_not_found_page(document_number), status_code=404, headers=headers)
    return HTMLResponse(document_page(answer), headers=headers)
