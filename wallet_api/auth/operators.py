"""Agency operator authentication: ``Authorization: Bearer <operator API key>``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from issuers.operators import OperatorPublic, authenticate_operator
from schemas.errors import AuthError
from wallet_api.deps import SessionDep

_bearer = HTTPBearer(auto_error=False, scheme_name="OperatorApiKey")


def current_operator(
    session: SessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> OperatorPublic:
    if credentials is None:
        raise AuthError("operator API key required")
    return authenticate_operator(session, credentials.credentials)


OperatorDep = Annotated[OperatorPublic, Depends(current_operator)]
