"""Refuse oversized request bodies before they are read into memory, and bodies that stall.

A stalled body is a slow client holding a connection and a request slot: when a ``receive()``
for more of the body waits longer than the read timeout (as nginx's ``client_body_timeout``,
measured between reads, not over the whole upload, so a large photo on a slow phone still
arrives), the request is answered 408. Waiting for a disconnect after the body is complete
is not a body read and has no timeout.
"""

from __future__ import annotations

import asyncio
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schemas.errors import RequestTimeout


class BodyTooLarge(Exception):
    pass


class BodyReadTimeout(Exception):
    pass


def _problem(limit: int) -> bytes:
    return json.dumps(
        {
            "type": "https://ecert.example/problems/payload_too_large",
            "title": "Request body too large",
            "status": 413,
            "code": "payload_too_large",
            "detail": f"request bodies are limited to {limit} bytes",
        }
    ).encode()


def _timeout_problem(seconds: float) -> bytes:
    return json.dumps(RequestTimeout(f"the request body stalled for more than {seconds:g} seconds").to_problem()).encode()


class BodySizeLimit:
    def __init__(
        self, app: ASGIApp, max_bytes: int, per_path: dict[str, int] | None = None, read_timeout_s: float | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        #: routes that take uploads (photos) get their own, larger bound
        self.per_path = per_path or {}
        #: longest wait for the next part of a body; None: no bound
        self.read_timeout_s = read_timeout_s

    async def _reject(self, send: Send, limit: int) -> None:
        await _send_problem(send, 413, _problem(limit))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.per_path.get(scope.get("path", ""), self.max_bytes)
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = limit + 1
                if declared > limit:
                    await self._reject(send, limit)
                    return
        received = 0
        started = False
        body_complete = False
        timed_out = False
        timeout = self.read_timeout_s

        async def counting_receive() -> Message:
            nonlocal received, body_complete, timed_out
            if timed_out:
                raise BodyReadTimeout
            if body_complete or timeout is None:
                message = await receive()
            else:
                try:
                    async with asyncio.timeout(timeout):
                        message = await receive()
                except TimeoutError:
                    timed_out = True
                    raise BodyReadTimeout from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if not message.get("more_body", False):
                    body_complete = True
                if received > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if timed_out:
                    # the framework turned the timeout into an answer of its own (FastAPI: a
                    # 400 "error parsing the body"); the client is told what happened instead
                    await _send_problem(send, 408, _timeout_problem(timeout or 0))
                    return
            elif timed_out and message["type"] == "http.response.body":
                return
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._reject(send, limit)
        except BodyReadTimeout:
            if not started:
                await _send_problem(send, 408, _timeout_problem(timeout or 0))


async def _send_problem(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode())]
    if status == 408:
        headers.append((b"connection", b"close"))  # the rest of that body is not coming
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
