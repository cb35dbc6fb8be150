"""The one exception tree of ecert-wallet.

Every error a client can cause is a ``WalletError`` with a stable machine-readable
``code``, an HTTP ``status`` and a short ``title``. ``wallet_api`` renders these as RFC 9457
problem+json in one place; OAuth/OpenID endpoints render the same tree with their spec's
``{"error": ...}`` body using ``oauth_error``. The tree lives in ``schemas`` because error
codes are wire shapes shared by issuers, verifiers and the API.
"""

from __future__ import annotations

from typing import Any


class WalletError(Exception):
    code: str = "error"
    status: int = 400
    title: str = "Request failed"
    #: the error code used when this is raised under an OAuth/OpenID4VC endpoint
    oauth_error: str = "invalid_request"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        self.detail = detail or self.title
        self.extra = extra
        super().__init__(self.detail)

    def to_problem(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://ecert.example/problems/{self.code}",
            "title": self.title,
            "status": self.status,
            "code": self.code,
            "detail": self.detail,
        }
        body.update(self.extra)
        return body


# --- client input -----------------------------------------------------------------------
class InvalidInput(WalletError):
    code, status, title = "invalid_input", 422, "Invalid input"


class PayloadTooLarge(WalletError):
    code, status, title = "payload_too_large", 413, "Request body too large"


class RequestTimeout(WalletError):
    """A request body stopped arriving (a slow or stalled client holding a request slot)."""

    code, status, title = "request_timeout", 408, "Request body timed out"


class RateLimited(WalletError):
    """Too many requests from one client; ``retry_after_s`` becomes the ``Retry-After`` header."""

    code, status, title = "rate_limited", 429, "Too many requests"
    oauth_error = "rate_limited"

    def __init__(self, detail: str | None = None, *, retry_after_s: int, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after_s = retry_after_s


class NotFound(WalletError):
    code, status, title = "not_found", 404, "Not found"


class UnknownCertificateType(NotFound):
    code, title = "unknown_type", "Unknown certificate type"
    oauth_error = "unknown_credential_configuration"


class NoRecord(NotFound):
    """The source agency has no record of this person for this certificate type."""

    code, title = "no_record", "No record for this person"


class SourceRecordInvalid(WalletError):
    """An agency source returned a record that does not fit its certificate type."""

    code, status, title = "source_record_invalid", 502, "Agency record does not fit the certificate type"


class Conflict(WalletError):
    code, status, title = "conflict", 409, "Conflict"


class DeviceRevoked(Conflict):
    """The holder's device was revoked (reported lost): the wallet refuses to use it (409), and
    a desk refuses a QR its key signed (the verdict's code)."""

    code, title = "device_revoked", "Device revoked"


# --- authentication / authorisation -----------------------------------------------------
class AuthError(WalletError):
    code, status, title = "unauthorized", 401, "Authentication required"
    oauth_error = "invalid_token"


class Forbidden(WalletError):
    code, status, title = "forbidden", 403, "Not allowed"
    oauth_error = "access_denied"


# --- verification -----------------------------------------------------------------------
class VerificationError(WalletError):
    """A credential, presentation or QR payload failed a check. Subclasses name the check."""

    code, status, title = "verification_failed", 400, "Verification failed"
    oauth_error = "invalid_request"


class Malformed(VerificationError):
    code, title = "malformed", "Malformed credential or presentation"


class SignatureInvalid(VerificationError):
    code, title = "signature_invalid", "Signature invalid"


class IssuerUntrusted(VerificationError):
    code, title = "issuer_untrusted", "Issuer not trusted for this type"


class TypeMismatch(VerificationError):
    code, title = "typ_invalid", "Unexpected token type"


class CredentialExpired(VerificationError):
    code, title = "expired", "Expired"


class NotYetValid(VerificationError):
    code, title = "not_yet_valid", "Not yet valid"


class CredentialRevoked(VerificationError):
    code, title = "revoked", "Revoked"


class CredentialSuspended(VerificationError):
    code, title = "suspended", "Suspended"


class StatusUnavailable(VerificationError):
    code, title = "status_unavailable", "Status list unavailable or invalid"


class DisclosureInvalid(VerificationError):
    code, title = "disclosure_invalid", "Disclosure invalid"


class HolderBindingFailed(VerificationError):
    code, title = "holder_binding_failed", "Holder binding failed"


class NonceMismatch(VerificationError):
    code, title = "nonce_mismatch", "Nonce or audience mismatch"


class Replayed(VerificationError):
    code, title = "replayed", "Already used"


class ClaimsMissing(VerificationError):
    code, title = "claims_missing", "Required claims not disclosed"


# --- outbound fetches (verifiers.outbound_http) -----------------------------------------
class OutboundFetchError(WalletError):
    """A URL named by someone else was not fetched. Two codes only, with fixed texts, so an
    answer never tells what listens at the address (a closed port, a timeout and an HTTP
    error from an internal service all read the same)."""

    code, status, title = "outbound_fetch_error", 400, "URL not fetched"


class FetchRefused(OutboundFetchError):
    """The URL breaks the fetch rules (scheme, user information, or its host's addresses)."""

    code, title = "fetch_refused", "URL not allowed for server-side fetches"


class FetchFailed(OutboundFetchError):
    """The URL was allowed, and no usable answer came back from it."""

    code, title = "fetch_failed", "URL could not be fetched"
