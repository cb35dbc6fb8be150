"""The benchmark load driver's open loop: requests leave on their schedule whatever the
server does, and each latency counts from when the request was due (no coordinated omission).

The server here answers one request at a time, each after ``SERVICE_S``; requests are due
every ``1 / RATE`` s, faster than it serves, so they queue. No timing threshold is asserted
on the machine: only bounds that follow from the schedule itself (a sleep never ends early).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from benchmarks.load import LoadSpec, run_load

SERVICE_S = 0.02
RATE = 200.0
COUNT = 10


async def _serve_one_at_a_time(served: list[float], drop: int | None = None) -> asyncio.Server:
    """Answers in arrival order; closes the connection instead of answering request ``drop``."""
    lock = asyncio.Lock()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                break
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")), 0)
            await reader.readexactly(length)
            async with lock:
                await asyncio.sleep(SERVICE_S)
                served.append(asyncio.get_running_loop().time())
                dropped = len(served) - 1 == drop
            if dropped:
                break
            body = b'{"valid": true}'
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            await writer.drain()
        writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


def _spec(tmp_path: Path, port: int, **overrides: object) -> LoadSpec:
    requests = tmp_path / "requests.jsonl"
    requests.write_text("".join(json.dumps({"path": "/x", "body": {"n": i}}) + "\n" for i in range(COUNT)))
    fields = {"host": "127.0.0.1", "port": port, "requests_file": str(requests), "concurrency": 4,
              "max_seconds": 30.0, "max_requests": COUNT, "tally": ["valid"], **overrides}
    return LoadSpec(**fields)  # type: ignore[arg-type]


def _run(tmp_path: Path, drop: int | None = None, **overrides: object) -> dict[str, object]:
    async def main() -> dict[str, object]:
        server = await _serve_one_at_a_time([], drop)
        port = server.sockets[0].getsockname()[1]
        async with server:
            return await run_load(_spec(tmp_path, port, **overrides))

    return asyncio.run(main())


def test_open_loop_counts_latency_from_the_scheduled_time(tmp_path: Path) -> None:
    report = _run(tmp_path, rate=RATE)
    assert report["requests"] == COUNT and report["status"] == {"200": COUNT}
    assert report["tally"] == {"valid=True": COUNT}
    assert report["offered_rate"] == RATE
    # the last request was due at (COUNT-1)/RATE but cannot be answered before COUNT services
    # have run: its latency, from when it was due, includes the queue in front of it
    queued_at_least = COUNT * SERVICE_S - (COUNT - 1) / RATE
    assert report["max_ms"] >= queued_at_least * 1000  # type: ignore[operator]


def test_closed_loop_sends_each_request_when_the_previous_answer_arrived(tmp_path: Path) -> None:
    report = _run(tmp_path, concurrency=1)
    assert report["requests"] == COUNT and report["status"] == {"200": COUNT} and "offered_rate" not in report
    # one connection, one request at a time: the run lasts at least every service in a row
    assert report["seconds"] >= COUNT * SERVICE_S  # type: ignore[operator]


def test_open_loop_counts_a_dropped_connection_and_goes_on(tmp_path: Path) -> None:
    report = _run(tmp_path, drop=3, rate=RATE)
    assert report["requests"] == COUNT
    assert report["status"] == {"0": 1, "200": COUNT - 1}
    assert report["error_samples"]  # says what happened
