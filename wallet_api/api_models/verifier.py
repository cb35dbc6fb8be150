"""Relying-party answers: ``POST /v1/verify``, OpenID4VP presentation requests, the wallet's
``direct_post``, the QR desk."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from wallet_api.api_models.base import Answer, Localized
from wallet_api.api_models.checks import CheckOutcomeModel


class Validity(Answer):
    iat: int | None = None
    exp: int | None = None


class VerificationResultModel(Answer):
    """One verified SD-JWT VC presentation (``verifiers.result.VerificationResult.public``):
    ``valid`` and a stable ``code``; claims only of a valid one."""

    valid: bool
    code: str | None
    detail: str | None
    issuer: str | None
    vct: str | None
    type_id: str | None
    claims: dict[str, Any]
    labels: dict[str, Localized]
    validity: Validity
    status: str | None
    #: when the status information used was produced (epoch seconds): now for our own
    #: issuer (read from its database), the status list's ``iat`` for others
    status_checked_at: int | None = None
    checks: list[CheckOutcomeModel]


class VerifyAnswer(VerificationResultModel):
    """``POST /v1/verify``: claims the party is not registered for are named, not shown."""

    withheld_claims: list[str]


class PresentationRequestCreated(Answer):
    id: str
    uri: str = Field(description="openid4vp:// link for the wallet (or its QR)")
    request_uri: str
    expires_at: int = Field(description="epoch seconds")


class QueryResult(VerificationResultModel):
    """One credential query's result in a finished presentation request."""

    match: str = Field(description="full, partial or none")
    missing_claims: list[list[str | int | None]]


class PresentationRequestState(Answer):
    id: str
    status: str = Field(description="pending or done")
    result: dict[str, QueryResult] | None = Field(description="per credential query id; only on the first done poll")
    result_state: str = Field(description="none, handed_over, collected or purged")
    outcome: dict[str, Any] | None
    complete: bool
    error: str | None
    wallet_error: str | None
    purpose: str
    expires_at: int


class DirectPostAnswer(Answer):
    """The answer to the wallet's ``direct_post``: ``{}`` (cross-device flow)."""

    redirect_uri: str | None = None


class QrVerifyAnswer(Answer):
    """``POST /v1/qr/verify`` and ``/v1/qr/verify-image``."""

    valid: bool
    code: str | None
    detail: str | None
    profile: str | None
    offline: bool
    type_id: str | None
    issuer: str | None
    claims: dict[str, Any] | None
    presented_at: int | None
    expires_at: int | None
    replayed: bool
    first_scanned_at: int | None
    #: when the status information used was produced (epoch seconds); None when none was read
    status_checked_at: int | None = None
    checks: list[CheckOutcomeModel]
    customs: dict[str, Any] | None = Field(default=None, description="customs_gate: the declaration's standing")
