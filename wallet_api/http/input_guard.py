"""Refuse text that no route can take, before routing, parsing or the database see it.

- Path and query string: a NUL, another C0 control character or DEL, after percent-decoding.
  No id, code, filter or URL this service takes contains one; PostgreSQL refuses NUL in
  text outright (a ``DataError`` deep inside a query) and the others only ever come to
  attack logs and parsers.
- JSON bodies (anything not a form or multipart): nested deeper than
  ``keys.json_document.MAX_DEPTH`` (the decoder would recurse on it, and so would everything
  that walks the value), or a NUL, raw or escaped as ``\\u0000``.
- Form bodies (the OAuth token endpoint, OpenID4VP ``direct_post``): a NUL, raw or ``%00``.
  Multipart bodies (photos) are passed on untouched.

A refusal is ``InvalidInput`` rendered by ``wallet_api.problems``: problem+json, or the
spec's OAuth body on the routes that speak OAuth. Bodies are read whole before the app runs;
``BodySizeLimit`` sits outside this middleware and bounds them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import unquote_to_bytes

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from keys.json_document import MAX_DEPTH, nesting_within
from schemas.errors import InvalidInput
from wallet_api.problems import problem_response

_CONTROL_TEXT = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x1f\x7f]")


def _control_in_path(path: str) -> bool:
    # isprintable() is False for every ASCII control character (and some non-ASCII ones,
    # which the regex then clears): one C call for the usual path
    return not path.isprintable() and _CONTROL_TEXT.search(path) is not None


def _control_in_query(query: bytes) -> bool:
    if not query:
        return False
    decoded = unquote_to_bytes(query) if b"%" in query else query
    return _CONTROL_BYTES.search(decoded) is not None


def _json_nul(body: bytes) -> bool:
    if b"\x00" in body:
        return True
    if b"\\u0000" not in body:  # the usual body: one C search
        return False
    # "\\u0000" is a backslash and the text u0000; only an escape that starts a sequence is NUL
    return b"\\u0000" in body.replace(b"\\\\", b"")


def _media_type(scope: Scope) -> bytes:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return value.split(b";", 1)[0].strip().lower()
    return b""


def body_refusal(media_type: bytes, body: bytes) -> str | None:
    """Why ``body`` is refused, or None."""
    if not body or media_type.startswith(b"multipart/"):
        return None
    if media_type == b"application/x-www-form-urlencoded":
        if b"\x00" in body or b"%00" in body:
            return "a form field contains a NUL character"
        return None
    if _json_nul(body):
        return "the body contains a NUL character"
    if not nesting_within(body, MAX_DEPTH):
        return f"the JSON body is nested deeper than {MAX_DEPTH} levels"
    return None


def url_refusal(scope: Scope) -> str | None:
    """Why the request's path or query string is refused, or None."""
    if _control_in_path(scope.get("path", "")):
        return "the path contains a control character"
    if _control_in_query(scope.get("query_string", b"")):
        return "the query string contains a control character"
    return None


async def _read_body(receive: Receive) -> tuple[bytes, Message | None]:
    """The whole body, or what came before the client went away (and that message)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), message
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), None


class InputGuard:
    def __init__(self, app: ASGIApp, oauth_paths: Sequence[re.Pattern[str]] = ()) -> None:
        self.app = app
        #: path patterns of the routes that answer errors with the OAuth body: routing has
        #: not run yet, so the route's own flag (``problems.use_oauth_errors``) is not set
        self.oauth_paths = tuple(oauth_paths)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, detail: str) -> None:
        request = Request(scope, receive)
        path = scope.get("path", "")
        if any(pattern.match(path) for pattern in self.oauth_paths):
            request.state.oauth_errors = True
        await problem_response(InvalidInput(detail), request)(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = url_refusal(scope)
        if refusal is not None:
            await self._refuse(scope, receive, send, refusal)
            return
        media_type = _media_type(scope)
        if media_type.startswith(b"multipart/"):
            await self.app(scope, receive, send)
            return
        body, ended = await _read_body(receive)
        refusal = body_refusal(media_type, body)
        if refusal is not None and ended is None:
            await self._refuse(scope, receive, send, refusal)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return ended or {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)
