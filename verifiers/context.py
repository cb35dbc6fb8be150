"""The state one verification carries from check to check.

Checks run in profile order and each one fills in what it established (``parsed`` after
parsing, ``issuer`` after trust, ``issuer_payload`` after the signature, ``disclosed`` after
the disclosures, ``key_binding`` after holder binding). A
check that needs something an earlier check did not establish raises, so a profile that
leaves out a check cannot make a later one run on unverified input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from keys.jws import VerificationKey

if TYPE_CHECKING:
    from sqlmodel import Session

    from verifiers.sd_jwt_verifier import Disclosed, KeyBinding, ParsedPresentation
    from verifiers.status_check import OwnStatusReader, StatusListChecker
    from verifiers.trust import TrustedIssuer, TrustList


class ProfileMisconfigured(Exception):
    """A profile runs a check before the one it depends on: a programming error, not input."""


@dataclass
class VerificationContext:
    session: "Session"
    presentation: str
    trust: "TrustList"
    status_checker: "StatusListChecker | None"
    nonce: str | None
    audience: str | None
    now: int
    #: our own issuer's statuses, read from the database (None: lists only)
    own_status: "OwnStatusReader | None" = None

    # --- established by checks, in order ---------------------------------------------
    parsed: "ParsedPresentation | None" = None
    unverified_payload: dict[str, Any] | None = None
    issuer: "TrustedIssuer | None" = None
    type_id: str | None = None
    issuer_key: VerificationKey | None = None
    issuer_payload: dict[str, Any] | None = None
    disclosed: "Disclosed | None" = None
    #: holder_binding ran (a presentation without a KB-JWT leaves ``key_binding`` None)
    key_binding_checked: bool = False
    key_binding: "KeyBinding | None" = None
    status: str | None = None
    #: when the status information used was produced (epoch seconds)
    status_checked_at: int | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    def need(self, name: str) -> Any:
        value = getattr(self, name)
        if value is None:
            raise ProfileMisconfigured(f"a check needs {name!r}, which no earlier check established")
        return value
