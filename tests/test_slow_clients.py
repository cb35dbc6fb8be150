"""Slow clients (issue 12, "Safe defaults"): a stalled request body gets 408 from the ASGI
layer; a request head that does not arrive in time, or grows past its cap, closes the
connection in the HTTP protocol (a real uvicorn server on a loopback socket)."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel

from wallet_api.app import create_app
from wallet_api.http.body_limit import BodySizeLimit
from wallet_api.http.server_protocols import HeadLimitedH11, HeadLimitedHttpTools, protocol_class

#: short enough that the tests wait little; the tests wait for an event, never for a duration
READ_TIMEOUT_S = 0.05


# --- body read timeout (ASGI) ---------------------------------------------------------------
class Item(BaseModel):
    name: str


def fastapi_app() -> FastAPI:
    app = FastAPI()

    @app.post("/items")
    def take(item: Item) -> dict[str, str]:
        return {"name": item.name}

    app.add_middleware(BodySizeLimit, max_bytes=1024, read_timeout_s=READ_TIMEOUT_S)
    return app


async def raw_reader(scope: Any, receive: Any, send: Any) -> None:
    """An ASGI app that reads the body itself (no framework to catch the timeout)."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    # after the body, waiting for the disconnect is not a body read: no timeout
    if scope["path"] == "/then-wait":
        assert (await receive())["type"] == "http.disconnect"
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


def call(app: Any, messages: list[dict[str, Any]], *, path: str = "/items", after: dict[str, Any] | None = None) -> tuple[int, dict[str, Any] | bytes]:
    """Drive ``app`` with ``messages`` then a receive() that never returns (a stalled client),
    or ``after`` once a little later than the read timeout."""
    sent: list[dict[str, Any]] = []

    async def run() -> None:
        queue = list(messages)
        stalled = asyncio.Event()

        async def receive() -> dict[str, Any]:
            if queue:
                return queue.pop(0)
            if after is not None:
                await asyncio.sleep(READ_TIMEOUT_S * 3)
                return after
            await stalled.wait()  # never set
            raise AssertionError("unreachable")

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": path, "raw_path": path.encode(), "query_string": b"",
                 "headers": [(b"content-type", b"application/json")], "http_version": "1.1", "scheme": "http",
                 "server": ("test", 80), "client": ("127.0.0.1", 1), "root_path": "", "asgi": {"version": "3.0"}}
        await app(scope, receive, send)

    asyncio.run(run())
    status = sent[0]["status"]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    headers = dict(sent[0]["headers"])
    if headers.get(b"content-type") == b"application/problem+json":
        return status, json.loads(body)
    return status, body


def test_a_stalled_body_gets_408_through_fastapi() -> None:
    # FastAPI turns any error while reading the body into its own 400; the client is told 408
    status, problem = call(fastapi_app(), [{"type": "http.request", "body": b'{"name": ', "more_body": True}])
    assert status == 408
    assert isinstance(problem, dict) and problem["code"] == "request_timeout" and problem["status"] == 408


def test_a_stalled_body_gets_408_from_a_raw_asgi_app() -> None:
    app = BodySizeLimit(raw_reader, max_bytes=1024, read_timeout_s=READ_TIMEOUT_S)
    status, problem = call(app, [{"type": "http.request", "body": b"abc", "more_body": True}], path="/raw")
    assert status == 408 and problem["code"] == "request_timeout"  # type: ignore[index]


def test_a_body_that_never_starts_gets_408() -> None:
    app = BodySizeLimit(raw_reader, max_bytes=1024, read_timeout_s=READ_TIMEOUT_S)
    status, problem = call(app, [], path="/raw")
    assert status == 408 and problem["code"] == "request_timeout"  # type: ignore[index]


def test_a_complete_body_is_not_timed_while_the_app_waits_for_a_disconnect() -> None:
    app = BodySizeLimit(raw_reader, max_bytes=1024, read_timeout_s=READ_TIMEOUT_S)
    status, body = call(app, [{"type": "http.request", "body": b"whole", "more_body": False}], path="/then-wait",
                        after={"type": "http.disconnect"})
    assert status == 200 and body == b"whole"


def test_the_app_takes_its_body_read_timeout_from_settings(settings) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings.model_copy(update={"body_read_timeout_s": 12.5}))
    (limit,) = [m for m in app.user_middleware if m.cls is BodySizeLimit]
    assert limit.kwargs["read_timeout_s"] == 12.5


# --- request head deadline and size (HTTP protocol) ------------------------------------------
HEAD_TIMEOUT_S = 0.2
MAX_HEAD = 2048


async def hello(scope: Any, receive: Any, send: Any) -> None:
    assert scope["type"] == "http"
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


def limited(base: type) -> type:
    class Limited(base):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, head_timeout_s=HEAD_TIMEOUT_S, max_head_bytes=MAX_HEAD, **kwargs)

    return Limited


@pytest.fixture(params=[HeadLimitedHttpTools, HeadLimitedH11], ids=["httptools", "h11"])
def server(request: pytest.FixtureRequest) -> Iterator[tuple[str, int]]:
    config = uvicorn.Config(hello, host="127.0.0.1", port=0, http=limited(request.param), lifespan="off",
                            log_level="critical", timeout_keep_alive=30)
    server = uvicorn.Server(config)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("server did not start")
        threading.Event().wait(0.01)
    yield sock.getsockname()
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


def connect(address: tuple[str, int]) -> socket.socket:
    conn = socket.create_connection(address)
    conn.settimeout(20)  # a safety net for a broken server, far above the deadline under test
    return conn


def read_until_closed(conn: socket.socket) -> bytes:
    data = b""
    while chunk := conn.recv(65536):
        data += chunk
    return data


def test_a_connection_that_sends_nothing_is_closed(server: tuple[str, int]) -> None:
    with connect(server) as conn:
        assert read_until_closed(conn) == b""


def test_a_head_that_stops_half_way_gets_408(server: tuple[str, int]) -> None:
    with connect(server) as conn:
        conn.sendall(b"GET / HTTP/1.1\r\nHost: ecert.test\r\nX-Slow: ")
        assert read_until_closed(conn).startswith(b"HTTP/1.1 408 ")


def test_a_kept_alive_connection_gets_the_same_deadline_for_its_next_head(server: tuple[str, int]) -> None:
    with connect(server) as conn:
        conn.sendall(b"GET / HTTP/1.1\r\nHost: ecert.test\r\n\r\n")
        first = b""
        while not first.endswith(b"ok"):
            first += conn.recv(65536)
        assert first.startswith(b"HTTP/1.1 200 ")
        conn.sendall(b"GET / HTTP/1.1\r\nHost: ")
        assert read_until_closed(conn).startswith(b"HTTP/1.1 408 ")


def test_a_head_larger_than_the_cap_gets_431(server: tuple[str, int]) -> None:
    with connect(server) as conn:
        # one write: the server answers and closes as soon as the cap is passed, and a client
        # still writing then would meet a closed socket (EPIPE) instead of reading the answer
        conn.sendall(b"GET / HTTP/1.1\r\nHost: ecert.test\r\n" + (b"X-Filler: " + b"a" * 1000 + b"\r\n") * 4)
        # (h11's own cap, h11_max_incomplete_event_size, is left at its default here)
        assert read_until_closed(conn).startswith(b"HTTP/1.1 431 ")


def test_a_prompt_request_is_served(server: tuple[str, int]) -> None:
    with connect(server) as conn:
        conn.sendall(b"GET / HTTP/1.1\r\nHost: ecert.test\r\nConnection: close\r\n\r\n")
        answer = read_until_closed(conn)
        assert answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(b"ok")


def test_serve_uses_the_httptools_protocol_when_installed() -> None:
    assert protocol_class() is HeadLimitedHttpTools
