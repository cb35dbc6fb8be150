"""The relying-party dependency: ``Authorization: Bearer <api_key>`` → the party."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header

from schemas.errors import AuthError
from verifiers.models import RelyingParty
from verifiers.relying_parties import authenticate
from wallet_api.deps import SessionDep


def current_relying_party(
    session: SessionDep, authorization: Annotated[str | None, Header()] = None
) -> RelyingParty:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("relying-party calls carry Authorization: Bearer <api_key>")
    return authenticate(session, api_key=token.strip())


CurrentRelyingParty = Annotated[RelyingParty, Depends(current_relying_party)]
