"""Responses with personal data are never kept by a cache: one route flag, one header.

A router (or a single route) that answers with personal data, or with what a relying party
learnt about a person, declares ``dependencies=[PERSONAL_DATA]``. The flag it sets on the
request is read by ``NoStoreForPersonalData`` as the response starts, so every answer of such
a route carries ``Cache-Control: no-store``, whatever the route returns (a model, a
``Response``, a PNG) and however it ends: its error answers get the header too. That is
harmless (a problem body carries codes and ids, never claim values) and keeps a shared cache
from even remembering that an id exists or that a token was refused.

The flag lives in the request's ``state`` (the same mechanism as ``oauth_errors`` in
``problems.py``): the dependency runs before anything of the route can fail, and the
middleware sees the response the exception handlers built.
"""

from __future__ import annotations

from fastapi import Depends, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FLAG = "personal_data"
NO_STORE = b"no-store"


async def _flag_personal_data(request: Request) -> None:  # async: no threadpool hop for a flag
    setattr(request.state, FLAG, True)


#: for ``APIRouter(dependencies=[PERSONAL_DATA])`` or ``@router.get(..., dependencies=[PERSONAL_DATA])``
PERSONAL_DATA = Depends(_flag_personal_data)


class NoStoreForPersonalData:
    """Sets ``Cache-Control: no-store`` (replacing any other) on responses of flagged routes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # created here so that the route's Request.state and this middleware share one dict
        state = scope.setdefault("state", {})

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start" and state.get(FLAG):
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != b"cache-control"]
                message = {**message, "headers": [*headers, (b"cache-control", NO_STORE)]}
            await send(message)

        await self.app(scope, receive, send_with_header)
