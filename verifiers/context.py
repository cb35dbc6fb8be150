"""The state one verification carries from check to check.

Checks run in profile order and each one fills in what it established (``issuer`` after
trust, ``issuer_payload`` after the signature, ``verified`` after the disclosures). A
check that needs something an earlier check did not establish raises, so a profile that
leaves out a check cannot make a later one run on unverified input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from keys.jws import UnverifiedJWS, VerificationKey, VerifiedJWS
from keys.sd_jwt import SdJwtParts
from schemas.errors import VerificationError

if TYPE_CHECKING:
    from sqlmodel import Session

    from verifiers.sd_jwt_verifier import VerifiedSdJwt
    from verifiers.status_check import StatusListChecker
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

    # --- established by checks, in order ---------------------------------------------
    parts: SdJwtParts | None = None
    unverified_jws: UnverifiedJWS | None = None
    unverified_payload: dict[str, Any] | None = None
    issuer: "TrustedIssuer | None" = None
    type_id: str | None = None
    issuer_key: VerificationKey | None = None
    issuer_payload: dict[str, Any] | None = None
    #: the issuer JWT as the signature check verified it (the disclosures check reuses it)
    issuer_jws: VerifiedJWS | None = None
    verified: "VerifiedSdJwt | None" = None
    status: str | None = None
    #: an error from verifying the whole presentation, for the key-binding checks to report
    presentation_error: VerificationError | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    def need(self, name: str) -> Any:
        value = getattr(self, name)
        if value is None:
            raise ProfileMisconfigured(f"a check needs {name!r}, which no earlier check established")
        return value
