"""What the QR checks share: the input, the injected services, and what earlier checks found."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from schemas.qr_payload import DeviceKeyFactory, IssuerKeyResolver
from verifiers.qr.presentation_signatures import VerifiedQrPresentation
from verifiers.status_check import OwnStatusReader, StatusListChecker

#: (session, device JWK from cnf) -> "active", "revoked" or "unknown" (not a device we know)
DeviceState = Callable[[Session, dict[str, str]], str]
#: (session, issuer part digest) -> "current", "superseded" or "unknown"
DeclarationState = Callable[[Session, bytes], str]
#: (iss, status list id bytes) -> the list's URI, or None for an issuer whose layout we do not know
StatusUri = Callable[[str, bytes], str | None]


@dataclass(frozen=True)
class QrServices:
    issuer_keys: IssuerKeyResolver
    device_key_from_jwk: DeviceKeyFactory
    #: re-reads the issuer keys, for when ``issuer_keys`` is a cache that no key verified
    fresh_issuer_keys: Callable[[], IssuerKeyResolver] | None = None
    status_checker: StatusListChecker | None = None
    status_uri: StatusUri | None = None
    device_state: DeviceState | None = None
    declaration_state: DeclarationState | None = None
    #: our own issuer's statuses from the database (online desks): fresher than any list
    own_status: OwnStatusReader | None = None


@dataclass
class QrContext:
    text: str
    services: QrServices
    now: int
    relying_party_id: str
    #: None when verifying offline: the online checks report themselves as not run
    session: Session | None
    verified: VerifiedQrPresentation | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def offline(self) -> bool:
        return self.session is None

    def need_verified(self) -> VerifiedQrPresentation:
        if self.verified is None:  # pragma: no cover - profiles start with signature
            raise RuntimeError("the signature check must run first")
        return self.verified
