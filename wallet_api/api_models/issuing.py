"""Issuer answers: metadata, OpenID4VCI (offer, token, nonce, credential), public resources,
and the agency operators' records and audit trail."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from wallet_api.api_models.base import Answer, Instant, Localized


class Health(Answer):
    status: str


class Ready(Answer):
    status: str
    #: database, migrations, signing_key: "ok" each
    checks: dict[str, str]


class CertificateType(Answer):
    id: str
    version: int
    delivery: str
    validity_days: int
    name: Localized
    description: Localized
    agency: dict[str, str]
    claims: list[dict[str, Any]]


class CertificateTypes(Answer):
    types: list[CertificateType]


class CertificateTypeDetail(CertificateType):
    claims_schema: dict[str, Any] = Field(description="JSON Schema of the type's claims")


class JwtVcIssuerMetadata(Answer):
    issuer: str
    jwks: dict[str, list[dict[str, Any]]]


class VctTypeMetadata(Answer):
    vct: str
    name: str
    description: str
    display: list[dict[str, Any]]
    claims: list[dict[str, Any]]


class DocumentCheck(Answer):
    document_number: str
    genuine: bool
    current: bool
    status: str
    type_id: str
    type_name: Localized
    agency: dict[str, str]
    issued_at: Instant
    expires_at: Instant


class CredentialIssuerMetadata(Answer):
    credential_issuer: str
    credential_endpoint: str
    nonce_endpoint: str
    display: list[dict[str, Any]]
    credential_configurations_supported: dict[str, dict[str, Any]]


class AuthorizationServerMetadata(Answer):
    model_config = Answer.model_config | {"populate_by_name": True}

    issuer: str
    token_endpoint: str
    response_types_supported: list[str]
    grant_types_supported: list[str]
    token_endpoint_auth_methods_supported: list[str]
    pre_authorized_grant_anonymous_access_supported: bool = Field(alias="pre-authorized_grant_anonymous_access_supported")


class CredentialOffer(Answer):
    credential_issuer: str
    credential_configuration_ids: list[str]
    grants: dict[str, dict[str, Any]]


class AccessToken(Answer):
    access_token: str
    token_type: str
    expires_in: int


class Nonce(Answer):
    c_nonce: str


class IssuedCredentialItem(Answer):
    credential: str


class CredentialAnswer(Answer):
    credentials: list[IssuedCredentialItem]


class CredentialRecord(Answer):
    """An issued credential's record (``IssuedCredentialPublic``) and its standing."""

    type_id: str
    agency_id: str
    vct: str
    kid: str
    status_list_id: int
    status_idx: int
    issued_at: Instant
    expires_at: Instant
    document_number: str
    id: str
    status: str
    expired: bool
    person_ref: str
    status_reason: str | None
    status_note: str | None
    status_changed_at: str | None
    status_changed_by: str | None


class CredentialRecordPage(Answer):
    records: list[CredentialRecord]
    next_cursor: str | None


class AuditEntry(Answer):
    seq: int
    at: Instant
    actor: str
    action: str
    target: str
    agency_id: str | None
    reason: str | None
    request_id: str | None
    entry_hash: str


class AuditPage(Answer):
    entries: list[AuditEntry]
    next_before: int | None


# --- request bodies the OAuth endpoints parse themselves (for the spec's error codes) ------

#: ``POST /token`` (OpenID4VCI §6.1, pre-authorized code grant)
TOKEN_REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "required": ["grant_type", "pre-authorized_code"],
                "properties": {
                    "grant_type": {"type": "string", "enum": ["urn:ietf:params:oauth:grant-type:pre-authorized_code"]},
                    "pre-authorized_code": {"type": "string"},
                    "tx_code": {"type": "string", "description": "when the offer asked for one"},
                },
            }
        }
    },
}

#: ``POST /credential`` (OpenID4VCI §8.2): one configuration, one JWT proof
CREDENTIAL_REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["credential_configuration_id", "proofs"],
                "properties": {
                    "credential_configuration_id": {"type": "string"},
                    "proofs": {
                        "type": "object",
                        "required": ["jwt"],
                        "properties": {"jwt": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 1}},
                        "additionalProperties": False,
                    },
                },
            }
        }
    },
}
