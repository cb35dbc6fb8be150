"""uvicorn's HTTP/1.1 protocols with a deadline and a size cap on the request head.

uvicorn bounds an idle keep-alive connection (``timeout_keep_alive``) and, for h11 only, the
size of an incomplete request head, but not the time a request head may take: a client that
connects and sends nothing, or one header line a minute (slowloris), holds a connection and
its memory forever. Here a request head (request line and headers) must be complete within
``ECERT_HEADER_READ_TIMEOUT_S`` of the connection opening or of the head's first byte, and
at most ``ECERT_MAX_HEADER_BYTES`` long, else the connection is answered 408 or 431 and
closed. Body reads are bounded in the ASGI layer (``wallet_api.http.body_limit``), connections
per worker by uvicorn's ``limit_concurrency``.

Not covered (a reverse proxy's job in production): a client that reads responses slowly,
TLS handshakes (uvicorn's TLS is not meant for exposure), and many addresses each within
the limits.

``ecert serve`` passes ``protocol_class()``; ``uvicorn --http wallet_api.http.server_protocols:HeadLimitedHttpTools``
works too. The limits are read from the ``ECERT_*`` settings once per worker process.
"""

from __future__ import annotations

import asyncio
from functools import cache
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

try:  # uvicorn[standard] installs httptools; without it uvicorn itself falls back to h11
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

_TIMEOUT_RESPONSE = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
_TOO_LARGE_RESPONSE = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


@cache
def _limits() -> tuple[float, int]:
    from wallet_api.settings import Settings

    settings = Settings.from_environment()
    return settings.header_read_timeout_s, settings.max_header_bytes


class HeadLimit:
    """The deadline and byte count of the request head being read on one connection.

    A mixin for uvicorn's protocols: they call ``_head_begins`` when a head may start (the
    connection opened, or the first byte of a new request arrived), ``_head_complete`` when
    the parser has all headers, ``_head_fed`` after feeding bytes to the parser."""

    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    head_timeout_s: float
    max_head_bytes: int
    _head_timer: asyncio.TimerHandle | None = None
    _head_bytes: int = 0
    _head_seen_bytes: bool = False

    def _head_limits(self, head_timeout_s: float | None, max_head_bytes: int | None) -> None:
        timeout, size = (head_timeout_s, max_head_bytes) if head_timeout_s and max_head_bytes else _limits()
        self.head_timeout_s = timeout
        self.max_head_bytes = size

    def _head_begins(self) -> None:
        if self._head_timer is None:
            self._head_bytes = 0
            self._head_timer = self.loop.call_later(self.head_timeout_s, self._head_timed_out)

    def _head_complete(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        self._head_bytes = 0
        self._head_seen_bytes = False

    @property
    def reading_head(self) -> bool:
        return self._head_timer is not None

    def _head_fed(self, size: int) -> None:
        """After the parser took ``size`` bytes: a head still incomplete past the cap is refused.
        (A chunk in which a head began and ended is not counted: the parser has it all.)"""
        if self._head_timer is None:
            return
        self._head_bytes += size
        self._head_seen_bytes = self._head_seen_bytes or size > 0
        if self._head_bytes > self.max_head_bytes:
            self._head_close(_TOO_LARGE_RESPONSE)

    def _head_timed_out(self) -> None:
        self._head_timer = None
        # nothing sent at all: just close (a port scan, a browser's spare connection)
        self._head_close(_TIMEOUT_RESPONSE if self._head_seen_bytes else b"")

    def _head_close(self, response: bytes) -> None:
        self._head_complete()
        if not self.transport.is_closing():
            if response:
                self.transport.write(response)
            self.transport.close()

    def _head_forget(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None


class HeadLimitedH11(HeadLimit, H11Protocol):
    def __init__(
        self, *args: Any, head_timeout_s: float | None = None, max_head_bytes: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._head_limits(head_timeout_s, max_head_bytes)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_begins()

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_forget()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:
            self._head_begins()  # the first byte of the next request on a kept-alive connection
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._head_complete()
        else:
            self._head_fed(len(data))


if HttpToolsProtocol is not None:

    class HeadLimitedHttpTools(HeadLimit, HttpToolsProtocol):  # type: ignore[misc,valid-type]
        def __init__(
            self, *args: Any, head_timeout_s: float | None = None, max_head_bytes: int | None = None, **kwargs: Any
        ) -> None:
            super().__init__(*args, **kwargs)
            self._head_limits(head_timeout_s, max_head_bytes)

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._head_begins()

        def connection_lost(self, exc: Exception | None) -> None:
            self._head_forget()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            self._head_fed(len(data))

        def on_message_begin(self) -> None:
            self._head_begins()  # the first byte of a request (also the next one kept alive)
            super().on_message_begin()

        def on_headers_complete(self) -> None:
            self._head_complete()
            super().on_headers_complete()


def protocol_class() -> type[asyncio.Protocol]:
    """What uvicorn's ``http="auto"`` would pick, with the head limits."""
    return HeadLimitedHttpTools if HttpToolsProtocol is not None else HeadLimitedH11
