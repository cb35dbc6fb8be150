"""Holder authentication and ownership, as dependencies.

``CurrentHolder``: a device-scoped access token (``Authorization: Bearer``). Every holder
route takes it. ``EnrollingHolder`` also accepts the enrolment token (device registration
only). ``OwnedCredential``, ``OwnedDevice``, ``OwnedConsent``: the path id resolved for the
current holder; another holder's id is a 404 exactly like a missing one, so ids cannot be
probed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from schemas.errors import AuthError
from wallet_api.deps import ClockDep, SessionDep
from wallet_api.wallet.credential_views import owned_credential
from wallet_api.wallet.devices import owned_device
from wallet_api.wallet.models import Consent, Device, StoredCredential
from wallet_api.wallet.presentations import owned_consent
from wallet_api.wallet.tokens import SCOPE_DEVICE, HolderPrincipal, authenticate_token

_bearer = HTTPBearer(auto_error=False, scheme_name="HolderAccessToken")


def _principal(session: SessionDep, clock: ClockDep, credentials: HTTPAuthorizationCredentials | None) -> HolderPrincipal:
    if credentials is None:
        raise AuthError("holder routes need Authorization: Bearer <access token>")
    return authenticate_token(session, token=credentials.credentials, now=clock.now())


def enrolling_holder(
    session: SessionDep, clock: ClockDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> HolderPrincipal:
    return _principal(session, clock, credentials)


def current_holder(
    session: SessionDep, clock: ClockDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> HolderPrincipal:
    principal = _principal(session, clock, credentials)
    if principal.scope != SCOPE_DEVICE:
        raise AuthError("sign in with a device key first")
    return principal


CurrentHolder = Annotated[HolderPrincipal, Depends(current_holder)]
EnrollingHolder = Annotated[HolderPrincipal, Depends(enrolling_holder)]


def _owned_credential(credential_id: str, holder: CurrentHolder, session: SessionDep) -> StoredCredential:
    return owned_credential(session, holder_id=holder.holder_id, credential_id=credential_id)


def _owned_device(device_id: str, holder: CurrentHolder, session: SessionDep) -> Device:
    return owned_device(session, holder_id=holder.holder_id, device_id=device_id)


def _owned_consent(consent_id: str, holder: CurrentHolder, session: SessionDep) -> Consent:
    return owned_consent(session, holder_id=holder.holder_id, consent_id=consent_id)


OwnedCredential = Annotated[StoredCredential, Depends(_owned_credential)]
OwnedDevice = Annotated[Device, Depends(_owned_device)]
OwnedConsent = Annotated[Consent, Depends(_owned_consent)]
