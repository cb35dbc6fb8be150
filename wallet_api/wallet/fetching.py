"""How the wallet reaches a verifier: GET the request object, POST the direct_post response.

A ``Fetcher`` is injected (``state.extras["wallet_fetcher"]`` overrides it, e.g. in tests).
The default sends requests for our own public URL through this very application in-process
(the same routes, the same wire format, no network, no TLS to ourselves) and everything else
over HTTPS with httpx: no redirects (a request object or response endpoint is where the
request said it is, or nowhere), a timeout and a size cap.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import anyio.from_thread

import httpx

from keys.json_document import read_json

TIMEOUT_S = 10.0
MAX_RESPONSE_BYTES = 1 << 20


@dataclass(frozen=True)
class Fetched:
    status: int
    content_type: str
    text: str

    def json(self) -> Any:
        try:
            return read_json(self.text) if self.text else {}
        except ValueError:  # not JSON, or nested too deeply (JSONDocumentRefused)
            return {}


class Fetcher(Protocol):
    def get(self, uri: str, *, accept: str) -> Fetched: ...

    def post_form(self, uri: str, form: Mapping[str, str]) -> Fetched: ...


def _fetched(response: httpx.Response) -> Fetched:
    if len(response.content) > MAX_RESPONSE_BYTES:
        return Fetched(502, "", "")
    return Fetched(response.status_code, response.headers.get("content-type", ""), response.text)


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def acceptable_uri(uri: str) -> bool:
    """https, or plain http to this machine (a verifier under development, RFC 8252 §8.3 style)."""
    try:
        parts = urlsplit(uri)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and host in LOOPBACK_HOSTS)


class HttpFetcher:
    def get(self, uri: str, *, accept: str) -> Fetched:
        if not acceptable_uri(uri):
            return Fetched(400, "", "")
        with httpx.Client(timeout=TIMEOUT_S, follow_redirects=False) as client:
            return _fetched(client.get(uri, headers={"Accept": accept}))

    def post_form(self, uri: str, form: Mapping[str, str]) -> Fetched:
        if not acceptable_uri(uri):
            return Fetched(400, "", "")
        with httpx.Client(timeout=TIMEOUT_S, follow_redirects=False) as client:
            return _fetched(client.post(uri, data=dict(form)))


class InProcessFetcher:
    """Our own origin through the ASGI app; other origins through ``fallback``."""

    def __init__(self, app: Any, own_origin: str, fallback: Fetcher) -> None:
        self._app = app
        self._origin = own_origin.rstrip("/")
        self._fallback = fallback

    def _own(self, uri: str) -> bool:
        return uri == self._origin or uri.startswith(self._origin + "/")

    async def _send(self, method: str, uri: str, **kwargs: Any) -> Fetched:
        transport = httpx.ASGITransport(app=self._app)
        async with httpx.AsyncClient(transport=transport, base_url=self._origin, follow_redirects=False) as client:
            return _fetched(await client.request(method, uri, **kwargs))

    def _run(self, method: str, uri: str, **kwargs: Any) -> Fetched:
        try:
            # a sync route runs in an anyio worker thread: run on the app's own event loop
            return anyio.from_thread.run(lambda: self._send(method, uri, **kwargs))
        except RuntimeError:
            # called outside the app's worker threads (a script, a unit test)
            return asyncio.run(self._send(method, uri, **kwargs))

    def get(self, uri: str, *, accept: str) -> Fetched:
        if self._own(uri):
            return self._run("GET", uri, headers={"Accept": accept})
        return self._fallback.get(uri, accept=accept)

    def post_form(self, uri: str, form: Mapping[str, str]) -> Fetched:
        if self._own(uri):
            return self._run("POST", uri, data=dict(form))
        return self._fallback.post_form(uri, form)
