"""The OAuth 2.0 / OpenID4VCI error codes, as subclasses of the one exception tree.

Each class sits under the ``schemas.errors`` class a non-OAuth caller would catch, and
carries the spec's ``oauth_error`` and HTTP status (RFC 6749 §5.2 and OpenID4VCI §6.3 and
§8.3.1 use 400 for everything but a bad bearer token, RFC 6750 §3.1).
"""

from __future__ import annotations

from schemas.errors import (
    AuthError,
    Forbidden,
    HolderBindingFailed,
    InvalidInput,
    NonceMismatch,
    UnknownCertificateType,
)


# --- token endpoint (RFC 6749 §5.2, OpenID4VCI §6.3) ---------------------------------------
class InvalidTokenRequest(InvalidInput):
    code, status, title = "invalid_request", 400, "Invalid token request"
    oauth_error = "invalid_request"


class UnsupportedGrantType(InvalidInput):
    code, status, title = "unsupported_grant_type", 400, "Unsupported grant type"
    oauth_error = "unsupported_grant_type"


class InvalidGrant(AuthError):
    """Unknown, expired, redeemed or locked pre-authorized code, or a wrong tx_code."""

    code, status, title = "invalid_grant", 400, "Invalid grant"
    oauth_error = "invalid_grant"


# --- credential endpoint: authorization (RFC 6750 §3.1) ----------------------------------
class InvalidToken(AuthError):
    code, status, title = "invalid_token", 401, "Invalid access token"
    oauth_error = "invalid_token"


class InsufficientScope(Forbidden):
    """The access token does not cover the requested credential configuration."""

    code, status, title = "insufficient_scope", 403, "Access token does not cover this credential"
    oauth_error = "insufficient_scope"


# --- credential endpoint: request (OpenID4VCI §8.3.1.2) -------------------------------
class InvalidCredentialRequest(InvalidInput):
    code, status, title = "invalid_credential_request", 400, "Invalid credential request"
    oauth_error = "invalid_credential_request"


class UnknownCredentialConfiguration(UnknownCertificateType):
    code, status, title = "unknown_credential_configuration", 400, "Unknown credential configuration"
    oauth_error = "unknown_credential_configuration"


class InvalidProof(HolderBindingFailed):
    code, status, title = "invalid_proof", 400, "Invalid key proof"
    oauth_error = "invalid_proof"


class InvalidNonce(NonceMismatch):
    code, status, title = "invalid_nonce", 400, "Invalid or used c_nonce"
    oauth_error = "invalid_nonce"


class CredentialRequestDenied(Forbidden):
    code, status, title = "credential_request_denied", 400, "Credential request denied"
    oauth_error = "credential_request_denied"
