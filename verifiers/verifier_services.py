"""What a verification needs besides the presentation, bundled once per application."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from keys.sealing import Sealer
from schemas.registry import TypeRegistry
from verifiers.status_check import OwnStatusReader, StatusListChecker
from verifiers.trust import TrustList


@dataclass(frozen=True)
class VerifierServices:
    #: the trust list for one unit of work (our own issuer's keys are read through the session)
    trust_for: Callable[[Session], TrustList]
    status_checker: StatusListChecker
    registry: TypeRegistry
    sealer: Sealer
    #: public base URL of this service: request_uri and response_uri live under it
    base_url: str
    request_ttl_s: int = 600
    #: an OpenID4VP result nobody collects is deleted this long after the wallet answered
    result_retention_s: int = 600
    #: our own issuer's statuses from the database (fresh on every worker); None: lists only
    own_status: OwnStatusReader | None = None
