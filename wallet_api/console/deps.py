"""How a console request finds its signed-in staff member, and the CSRF gate on writes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from schemas.errors import AuthError
from wallet_api.console.sessions import StaffSession, resume
from wallet_api.deps import ClockDep, SessionDep, SettingsDep
from wallet_api.settings import Settings

CSRF_HEADER = "X-CSRF-Token"


def cookie_secure(settings: Settings) -> bool:
    if settings.environment == "production":
        return True  # whatever public_url says: a proxy in front may still reach us over http
    if settings.console_cookie_secure is not None:
        return settings.console_cookie_secure
    return settings.public_url.startswith("https://")


def session_cookie_name(settings: Settings) -> str:
    # __Host-: the browser refuses it unless Secure, path=/ and no Domain, so no subdomain can plant one
    return "__Host-ecert_console" if cookie_secure(settings) else "ecert_console"


def optional_staff(request: Request, session: SessionDep, settings: SettingsDep, clock: ClockDep) -> StaffSession | None:
    token = request.cookies.get(session_cookie_name(settings))
    return resume(session, token=token, now=clock.epoch(), idle_s=settings.console_idle_timeout_s)


def current_staff(staff: Annotated[StaffSession | None, Depends(optional_staff)]) -> StaffSession:
    if staff is None:
        raise AuthError("sign in to the console first (or the session has expired)")
    return staff


def staff_with_csrf(
    staff: Annotated[StaffSession, Depends(current_staff)],
    csrf: Annotated[str | None, Header(alias=CSRF_HEADER)] = None,
) -> StaffSession:
    staff.check_csrf(csrf)
    return staff


OptionalStaff = Annotated[StaffSession | None, Depends(optional_staff)]
CurrentStaff = Annotated[StaffSession, Depends(current_staff)]
#: for every state-changing console call
WritingStaff = Annotated[StaffSession, Depends(staff_with_csrf)]
