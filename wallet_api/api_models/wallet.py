"""Holder answers: enrolment and sign-in, stored certificates, submissions, share links."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from wallet_api.api_models.base import Answer, Instant, Localized
from wallet_api.api_models.verifier import VerificationResultModel


class HolderEnrolled(Answer):
    holder_id: str
    created: bool
    enrolment_token: str
    token_type: str
    scope: str
    expires_at: Instant


class DevIdentityAssertion(Answer):
    identity_assertion: str
    issuer: str


class DeviceChallenge(Answer):
    challenge: str
    aud: str
    typ: str
    expires_at: Instant


class SignInChallenge(Answer):
    challenge: str
    expires_at: Instant
    aud: str
    typ: str


class HolderAccessToken(Answer):
    access_token: str
    token_type: str
    expires_in: int
    scope: str


class StoredCredentialSummary(Answer):
    id: str
    type_id: str | None
    name: Localized | None
    vct: str | None
    issuer: str | None
    device_id: str | None
    origin: str
    issued_at: Instant | None
    expires_at: Instant | None
    stored_at: Instant
    state: str
    status: str | None
    device_revoked: bool
    presentable: bool


class StoredCredentialDetail(StoredCredentialSummary):
    claims: dict[str, Any] = Field(description="sensitive claims masked")
    labels: dict[str, Localized]


class RelyingPartyRef(Answer):
    name: str
    client_id: str


class RequestedCredential(Answer):
    query_id: str
    type_id: str | None
    name: Localized | None
    multiple: bool
    claims: list[dict[str, Any]]
    candidates: list[dict[str, Any]]


class ResolvedRequest(Answer):
    consent_id: str
    relying_party: RelyingPartyRef
    purpose: str
    expires_at: Instant
    credentials: list[RequestedCredential]


class Recipient(Answer):
    name: str | None
    id: str | None


class PreparedItem(Answer):
    query_id: str
    credential_id: str
    type_id: str | None
    claims: list[list[str | int | None]]
    presentation: str
    kb_jwt_header: dict[str, Any]
    kb_jwt_payload: dict[str, Any]
    signing_input: str
    disclosed_claims: dict[str, Any]


class PreparedPresentation(Answer):
    """What the device signs (``signing_input`` per item) before ``…/submit``."""

    consent_id: str
    kind: str
    recipient: Recipient
    purpose: str | None
    device_id: str
    expires_at: Instant
    items: list[PreparedItem]


class Submitted(Answer):
    """OpenID4VP: ``outcome`` and the verifier's ``redirect_uri``; a share link: the link and
    its viewing code (given once)."""

    submission_id: str
    outcome: str
    redirect_uri: str | None = None
    link: str | None = None
    viewing_code: str | None = None
    expires_at: Instant | None = None


class SharedView(VerificationResultModel):
    viewed_at: Instant
