"""Which console pages a signed-in party may use, and where it lands after sign-in.

A party's registration (`RelyingParty.allowed`: types and claims) already bounds what the
verifier will show it; the console follows it, so a customs officer does not land on a bank
counter whose requests would all be refused, and a shop sees only the mobile-ID check.
"""

from __future__ import annotations

from verifiers.qr.profiles import MOBILE_ID_TYPES
from wallet_api.console.counter import offered_templates
from wallet_api.console.request_templates import RequestTemplate
from wallet_api.console.sessions import StaffSession
from wallet_api.qr.desk import CUSTOMS_TYPE

#: where a party lands: the first page it may use in this order (documents: anyone)
LANDING_ORDER = ("customs", "bank", "mobile-id", "documents")


def usable_pages(staff: StaffSession, templates: dict[str, RequestTemplate]) -> frozenset[str]:
    allowed = staff.party.allowed
    usable = {"documents"}
    if offered_templates(staff, templates):
        usable.add("bank")
    if CUSTOMS_TYPE in allowed:
        usable.add("customs")
    if any(type_id in allowed for type_id in MOBILE_ID_TYPES):
        usable.add("mobile-id")
    return frozenset(usable)


def landing_page(usable: frozenset[str]) -> str:
    return next(page for page in LANDING_ORDER if page in usable)
