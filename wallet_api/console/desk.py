"""The desk scanner in the console: the QR verifier's answer, cut down to the desk's view."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from issuers.customs.declarations import CustomsServices
from verifiers.qr.context import QrServices
from verifiers.qr.profiles import QrProfile
from wallet_api.console.desk_views import desk_view
from wallet_api.console.sessions import StaffSession
from wallet_api.qr.desk import verify_scanned

MAX_TEXT = 4096


def scan(
    session: Session,
    *,
    staff: StaffSession,
    desk: str,
    profile: str | None,
    text: str,
    profiles: dict[str, QrProfile],
    services: QrServices,
    customs: CustomsServices,
    now: int,
) -> dict[str, Any]:
    view = desk_view(desk, profile)
    # the desk's profile is always named: a QR of another kind is refused, not read another way
    answer = verify_scanned(
        session, text=text, requested_profile=view.profile, profiles=profiles, services=services, customs=customs,
        party=staff.party, now=now,
    )
    return view.shown(answer)
