"""Wallet-specific branches of the one exception tree (``schemas.errors``)."""

from __future__ import annotations

from schemas.errors import AuthError, Conflict, Forbidden, NotFound, WalletError


class IdentityAssertionInvalid(AuthError):
    code, title = "identity_assertion_invalid", "Identity assertion not accepted"


class IdentityMismatch(Forbidden):
    """The assertion names someone the agencies do not know by that name and birth date."""

    code, title = "identity_mismatch", "Identity does not match the agencies' records"


class DeviceProofInvalid(WalletError):
    """A device registration proof that does not prove possession of the key being registered."""

    code, status, title = "device_proof_invalid", 400, "Device key possession not proven"


class DeviceProofRequired(DeviceProofInvalid):
    code, title = "device_proof_required", "Proof of possession of the device key required"


class DeviceChallengeInvalid(DeviceProofInvalid):
    """Unknown, expired, or issued to another holder: the three are not told apart."""

    code, title = "device_challenge_invalid", "Device registration challenge unknown or expired"


class DeviceKeyBound(Conflict):
    """The key is already a device, or the holder key of credentials issued to another person."""

    code, title = "device_key_bound", "Device key already bound"


class NotYourCredential(Forbidden):
    """A genuine credential, but issued to another person than the holder storing it."""

    code, title = "not_your_credential", "Credential issued to someone else"


class RelyingPartyUnregistered(Forbidden):
    code, title = "relying_party_unregistered", "Relying party not registered"


class RequestObjectInvalid(WalletError):
    code, status, title = "request_invalid", 400, "Presentation request not acceptable"


class NotPresentable(Conflict):
    code, title = "not_presentable", "Credential cannot be presented"


class ConsentExpired(NotFound):
    code, title = "consent_expired", "Consent expired"


class ViewingCodeInUrl(WalletError):
    """A viewing code in the query string: URLs reach access logs, proxies and browser history."""

    code, status, title = "viewing_code_in_url", 400, "Send the viewing code in the X-Viewing-Code header, not the URL"


class LinkGone(WalletError):
    code, status, title = "link_gone", 410, "Link used or expired"
