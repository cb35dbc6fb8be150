"""How the wallet reaches a verifier: GET the request object, POST the direct_post response.

A ``Fetcher`` is injected (``AppState.external_fetcher`` overrides it, e.g. in
tests). ``InProcessFetcher`` sends requests for our own public URL through this very
application in-process (the same routes, the same wire format, no network, no TLS to
ourselves) and everything else to ``verifiers.outbound_http.OutboundFetcher``, which
enforces the fetch rules (https, public addresses, no redirects, time and size caps, two
failure codes). Our own origin is the only exception, and it is recognised after one parse
of the URL (scheme, host, port), never by a string prefix.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, Protocol

import anyio.from_thread
import httpx

from schemas.errors import FetchRefused
from verifiers.outbound_http import FetchedResponse, parse_target, same_origin_target

#: what a fetch gives back (the name the wallet and its tests use)
Fetched = FetchedResponse
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class Fetcher(Protocol):
    """``get`` and ``post_form`` answer, or raise ``FetchRefused``/``FetchFailed``."""

    def get(self, uri: str, *, accept: str) -> Fetched: ...

    def post_form(self, uri: str, form: Mapping[str, str]) -> Fetched: ...


def acceptable_uri(uri: str) -> bool:
    """Could be a verifier's endpoint: https, or plain http to this machine (a verifier under
    development, RFC 8252 §8.3 style). Whether it is fetched is the fetcher's decision."""
    try:
        target = parse_target(uri)
    except FetchRefused:
        return False
    return target.scheme == "https" or target.host in LOOPBACK_HOSTS


def _fetched(response: httpx.Response) -> Fetched:
    return Fetched(response.status_code, response.headers.get("content-type", ""), response.text)


class InProcessFetcher:
    """Our own origin through the ASGI app; other origins through ``fallback``."""

    def __init__(self, app: Any, own_origin: str, fallback: Fetcher) -> None:
        self._app = app
        self._origin = own_origin.rstrip("/")
        self._fallback = fallback

    def _own_url(self, uri: str) -> str | None:
        """The URL to send in-process (rebuilt from the parsed parts), or None if not ours."""
        target = same_origin_target(uri, self._origin)
        if target is None:
            return None
        origin = parse_target(self._origin)
        return f"{origin.scheme}://{origin.host_header}{target}"

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
        own = self._own_url(uri)
        if own is not None:
            return self._run("GET", own, headers={"Accept": accept})
        return self._fallback.get(uri, accept=accept)

    def post_form(self, uri: str, form: Mapping[str, str]) -> Fetched:
        own = self._own_url(uri)
        if own is not None:
            return self._run("POST", own, data=dict(form))
        return self._fallback.post_form(uri, form)
