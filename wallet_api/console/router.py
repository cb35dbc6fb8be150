"""The verifier console's routes: pages, its own small JSON API, and its static files.

Routes parse and delegate. The API authenticates by the session cookie (never by an API key
in the browser) and refuses a write without the session's CSRF token.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from schemas.errors import AuthError, NotFound
from verifiers.oid4vp.presentation_requests import read_request, request_uri_of
from qr_symbols.images import render_svg
from wallet_api.console import counter, desk, documents, pages, sessions
from wallet_api.console.access import landing_page, usable_pages
from wallet_api.console.deps import CurrentStaff, OptionalStaff, WritingStaff, cookie_secure, session_cookie_name
from wallet_api.console.desk import MAX_TEXT
from wallet_api.console.desk_views import desk_views
from wallet_api.console.security_headers import ConsoleRoute
from wallet_api.deps import ClockDep, RegistryDep, SessionDep, SettingsDep, StateDep
from wallet_api.http.no_store import PERSONAL_DATA
from verifiers.qr.profiles import MOBILE_ID_TYPES
from wallet_api.qr.desk import CUSTOMS_TYPE
from wallet_api.qr.deps import CustomsServicesDep, QrServicesDep
from wallet_api.http.rate_limits import limit_anonymous
from wallet_api.settings import Settings
from wallet_api.state import AppState
from wallet_api.deps import VerifierServicesDep

router = APIRouter(prefix="/console", tags=["verifier console"], route_class=ConsoleRoute, include_in_schema=False)

STATIC_DIR = Path(__file__).with_name("static")
#: the only files served: a fixed list, so no path from the URL ever reaches the file system
STATIC_FILES = {
    "console.css": "text/css",
    "console.js": "text/javascript",
    "bank.js": "text/javascript",
    "scanner.js": "text/javascript",
    "documents.js": "text/javascript",
    "jsQR.js": "text/javascript",
}
LOGIN_COOKIE = "ecert_console_login"
LOGIN_COOKIE_MAX_AGE_S = 1800
LANG_COOKIE = "ecert_console_lang"


def _lang(request: Request, lang: str | None) -> str:
    return pages.pick_lang(lang or request.cookies.get(LANG_COOKIE))


def _html(body: str, lang: str, *, remember_lang: bool, status_code: int = 200) -> HTMLResponse:
    response = HTMLResponse(body, status_code=status_code)
    if remember_lang:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="strict", path="/console")
    return response


def _landing(staff: sessions.StaffSession, state: AppState) -> RedirectResponse:
    page = landing_page(usable_pages(staff, state.console_templates))
    return RedirectResponse(pages.NAV[page][0], status_code=303)


def _to_sign_in(request: Request, lang: str) -> RedirectResponse:
    expired = "&expired=1" if request.cookies else ""
    return RedirectResponse(f"/console/sign-in?lang={lang}{expired}", status_code=303)


# --- sign-in ------------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def home(
    request: Request, staff: OptionalStaff, state: StateDep, lang: Annotated[str | None, Query(max_length=5)] = None
) -> Response:
    if staff is None:
        return _to_sign_in(request, _lang(request, lang))
    return _landing(staff, state)


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(
    request: Request, settings: SettingsDep, lang: Annotated[str | None, Query(max_length=5)] = None,
    expired: Annotated[bool, Query()] = False,
) -> Response:
    chosen = _lang(request, lang)
    # login CSRF: a double-submit token, so no other site can sign a clerk into its own account
    token = secrets.token_urlsafe(24)
    body = pages.sign_in_page(lang=chosen, csrf=token, notice_key="session_expired" if expired else None)
    response = _html(body, chosen, remember_lang=lang is not None)
    response.set_cookie(
        LOGIN_COOKIE, token, max_age=LOGIN_COOKIE_MAX_AGE_S, httponly=True, samesite="strict",
        secure=cookie_secure(settings), path="/console",
    )
    return response


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(
    request: Request,
    session: SessionDep,
    state: StateDep,
    clock: ClockDep,
    api_key: Annotated[str, Form(max_length=200)],
    csrf_token: Annotated[str, Form(max_length=100)],
    client_id: Annotated[str | None, Form(max_length=128)] = None,
    lang: Annotated[str | None, Form(max_length=5)] = None,
) -> Response:
    # per party: the client id, else the key itself (hashed like every counted subject)
    limit_anonymous(state, request, "console_sign_in", kind="party", credential=client_id or api_key)
    chosen = _lang(request, lang)
    settings = state.settings
    expected = request.cookies.get(LOGIN_COOKIE)
    if not expected or not secrets.compare_digest(expected.encode(), csrf_token.encode()):
        return _refused_sign_in(settings, chosen, "session_expired", status_code=403)
    try:
        token, staff = sessions.sign_in(
            session, api_key=api_key, client_id=client_id, now=clock.epoch(), ttl_s=settings.console_session_ttl_s,
            sweeper=state.sweeper,
        )
    except AuthError:
        return _refused_sign_in(settings, chosen, "sign_in_failed", status_code=401)
    response = _landing(staff, state)
    response.set_cookie(
        session_cookie_name(settings), token, max_age=settings.console_session_ttl_s, httponly=True,
        samesite="strict", secure=cookie_secure(settings), path="/",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/console")
    return response


def _refused_sign_in(settings: Settings, lang: str, notice: str, *, status_code: int) -> Response:
    token = secrets.token_urlsafe(24)
    response = _html(pages.sign_in_page(lang=lang, csrf=token, notice_key=notice), lang, remember_lang=False, status_code=status_code)
    response.set_cookie(
        LOGIN_COOKIE, token, max_age=LOGIN_COOKIE_MAX_AGE_S, httponly=True, samesite="strict",
        secure=cookie_secure(settings), path="/console",
    )
    return response


@router.post("/sign-out")
def sign_out(
    request: Request, staff: CurrentStaff, session: SessionDep, settings: SettingsDep,
    csrf_token: Annotated[str | None, Form(max_length=100)] = None,
) -> Response:
    staff.check_csrf(csrf_token)
    sessions.sign_out(session, token=request.cookies.get(session_cookie_name(settings)))
    response = RedirectResponse("/console/sign-in", status_code=303)
    response.delete_cookie(session_cookie_name(settings), path="/", secure=cookie_secure(settings), httponly=True, samesite="strict")
    return response


# --- pages --------------------------------------------------------------------------------


@router.get("/bank", response_class=HTMLResponse)
def bank_page(
    request: Request, staff: OptionalStaff, state: StateDep, registry: RegistryDep,
    lang: Annotated[str | None, Query(max_length=5)] = None,
) -> Response:
    chosen = _lang(request, lang)
    if staff is None:
        return _to_sign_in(request, chosen)
    usable = usable_pages(staff, state.console_templates)
    if "bank" not in usable:
        return _landing(staff, state)
    offered = counter.offered_templates(staff, state.console_templates)
    body = pages.bank_page(
        lang=chosen, party_name=staff.party.name, csrf=staff.csrf_token, templates=offered,
        type_names=counter.type_names(registry), queries=counter.template_config(offered), usable=usable,
    )
    return _html(body, chosen, remember_lang=lang is not None)


def _scanner(
    page: str, request: Request, staff: OptionalStaff, state: AppState, registry: RegistryDep, lang: str | None
) -> Response:
    chosen = _lang(request, lang)
    if staff is None:
        return _to_sign_in(request, chosen)
    usable = usable_pages(staff, state.console_templates)
    if page not in usable:
        return _landing(staff, state)
    profiles = list(desk_views()["mobile_id"]) if page == "mobile-id" else []
    types = MOBILE_ID_TYPES if page == "mobile-id" else (CUSTOMS_TYPE,)
    body = pages.scanner_page(
        page, lang=chosen, party_name=staff.party.name, csrf=staff.csrf_token, profiles=profiles,
        labels=counter.claim_labels(registry, types), usable=usable,
    )
    return _html(body, chosen, remember_lang=lang is not None)


@router.get("/customs", response_class=HTMLResponse)
def customs_page(
    request: Request, staff: OptionalStaff, state: StateDep, registry: RegistryDep,
    lang: Annotated[str | None, Query(max_length=5)] = None,
) -> Response:
    return _scanner("customs", request, staff, state, registry, lang)


@router.get("/mobile-id", response_class=HTMLResponse)
def mobile_id_page(
    request: Request, staff: OptionalStaff, state: StateDep, registry: RegistryDep,
    lang: Annotated[str | None, Query(max_length=5)] = None,
) -> Response:
    return _scanner("mobile-id", request, staff, state, registry, lang)


@router.get("/documents", response_class=HTMLResponse)
def documents_page(
    request: Request, staff: OptionalStaff, state: StateDep, lang: Annotated[str | None, Query(max_length=5)] = None
) -> Response:
    chosen = _lang(request, lang)
    if staff is None:
        return _to_sign_in(request, chosen)
    usable = usable_pages(staff, state.console_templates)
    body = pages.documents_page(lang=chosen, party_name=staff.party.name, csrf=staff.csrf_token, usable=usable)
    return _html(body, chosen, remember_lang=lang is not None)


@router.get("/static/{name}")
def static_file(name: str) -> Response:
    media_type = STATIC_FILES.get(name)
    if media_type is None:
        raise NotFound("no such console file")
    response = FileResponse(STATIC_DIR / name, media_type=media_type)
    # revalidated by ETag: a deploy is seen at once, an unchanged file is not sent again
    response.headers["Cache-Control"] = "no-cache"
    return response


# --- the console's API (session cookie + CSRF header) --------------------------------------


class StartRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    template: str = Field(min_length=1, max_length=64)
    lang: str = Field(default="ko", max_length=5)


class ScanRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    desk: str = Field(max_length=16)
    profile: str | None = Field(default=None, max_length=32)
    text: str = Field(min_length=1, max_length=MAX_TEXT)


class DocumentCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: str = Field(min_length=1, max_length=documents.MAX_NUMBER)


@router.post("/api/presentation-requests", status_code=201)
def start_request(
    body: StartRequest, staff: WritingStaff, session: SessionDep, state: StateDep, services: VerifierServicesDep,
    registry: RegistryDep, clock: ClockDep,
) -> dict[str, Any]:
    return counter.start_request(
        session, staff=staff, template_id=body.template, templates=state.console_templates, services=services,
        registry=registry, lang=pages.pick_lang(body.lang), now=clock.epoch(),
    )


@router.get("/api/presentation-requests/{request_id}", dependencies=[PERSONAL_DATA])
def poll_request(
    request_id: str, staff: CurrentStaff, session: SessionDep, services: VerifierServicesDep, clock: ClockDep
) -> dict[str, Any]:
    """What the party's API would answer: the page shows this and nothing more. Handing the
    result to the counter's page is its one collection, as for the API."""
    return read_request(session, relying_party=staff.party, request_id=request_id, sealer=services.sealer, now=clock.epoch())


@router.get("/api/presentation-requests/{request_id}/qr.svg", response_class=Response)
def request_qr(request_id: str, staff: CurrentStaff, session: SessionDep, services: VerifierServicesDep, clock: ClockDep) -> Response:
    uri = request_uri_of(session, relying_party=staff.party, request_id=request_id, services=services, now=clock.epoch())
    return Response(render_svg(uri), media_type="image/svg+xml")


@router.post("/api/qr-scans", dependencies=[PERSONAL_DATA])
def scan_qr(
    body: ScanRequest, staff: WritingStaff, session: SessionDep, state: StateDep, services: QrServicesDep,
    customs: CustomsServicesDep, clock: ClockDep,
) -> dict[str, Any]:
    return desk.scan(
        session, staff=staff, desk=body.desk, profile=body.profile, text=body.text, profiles=state.qr_profiles,
        services=services, customs=customs, now=clock.epoch(),
    )


@router.post("/api/document-checks", dependencies=[PERSONAL_DATA])
def check_document(body: DocumentCheck, staff: WritingStaff, session: SessionDep, registry: RegistryDep, clock: ClockDep) -> dict[str, Any]:
    return documents.check_document(session, number=body.number, registry=registry, now=clock.now())
