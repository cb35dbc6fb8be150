"""HTTP load driver, run as its own process: ``python -m benchmarks.load SPEC.json``.

Plain asyncio streams speaking HTTP/1.1 keep-alive: an httpx client spends more CPU per
request than the server under test, and on two cores the driver's cost comes out of the
server's share. Requests are read from a JSONL file, each sent once (so single-use
nonces, codes and QR marks are each presented once), or one request repeated. Bounded in
count and in time; prints one JSON object: rate, status counts, latency percentiles, and
(with ``tally``) counts of chosen top-level fields of the JSON answers, e.g. ``valid=True``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.timing import percentile


@dataclass(frozen=True)
class LoadSpec:
    host: str
    port: int
    requests_file: str
    concurrency: int
    max_seconds: float
    max_requests: int
    #: send the first request of the file this many times instead of each request once
    repeat: int = 0
    warmup: int = 0
    #: top-level keys of each JSON answer to count by value ("valid" → {"valid=True": n, ...})
    tally: list[str] | None = None
    #: open loop: requests per second sent on a fixed schedule; None: closed loop
    rate: float | None = None


def encode_request(host: str, port: int, item: dict[str, Any]) -> bytes:
    body = item.get("body", "")
    body_bytes = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    headers = {"Host": f"{host}:{port}", "Content-Length": str(len(body_bytes)), **item.get("headers", {})}
    head = f"{item.get('method', 'POST')} {item['path']} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return head.encode() + b"\r\n" + body_bytes


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        return status, await reader.readexactly(int(headers["content-length"]))
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                return status, b"".join(chunks)
            chunks.append(chunk[:-2])
    return status, b""


def _tally(keys: list[str], body: bytes, counts: dict[str, int]) -> None:
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    for key in keys:
        label = f"{key}={answer.get(key)!r}" if isinstance(answer, dict) else f"{key}=<not a JSON object>"
        counts[label] = counts.get(label, 0) + 1


def _record(spec: LoadSpec, stats: dict[str, Any], latency: float, status: int, body: bytes) -> None:
    stats["latencies"].append(latency)
    stats["status"][status] = stats["status"].get(status, 0) + 1
    if (status >= 400 or status == DROPPED) and len(stats["error_samples"]) < 3:
        stats["error_samples"].append(body[:300].decode("utf-8", "replace"))
    if spec.tally:  # after the clock stopped: parsing is not in the latency
        _tally(spec.tally, body, stats["tally"])


async def _connection(spec: LoadSpec, queue: list[bytes], stats: dict[str, Any], deadline: float) -> None:
    reader, writer = await asyncio.open_connection(spec.host, spec.port)
    try:
        while queue and time.perf_counter() < deadline:
            request = queue.pop()
            start = time.perf_counter()
            writer.write(request)
            status, body = await _read_response(reader)
            _record(spec, stats, time.perf_counter() - start, status, body)
    finally:
        writer.close()


Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]
#: the status recorded for a request whose connection the server dropped (open loop)
DROPPED = 0


async def _send_when_due(
    spec: LoadSpec, request: bytes, due: float, free: asyncio.Queue[Connection], stats: dict[str, Any]
) -> None:
    reader, writer = await free.get()  # waiting for a free connection is queueing: it is in the latency
    try:
        writer.write(request)
        status, body = await _read_response(reader)
    except (ConnectionError, asyncio.IncompleteReadError) as exc:
        # counted as status 0 (a bad answer in every report), and the run goes on on a new
        # connection: one dropped connection must not lose the whole figure
        _record(spec, stats, time.perf_counter() - due, DROPPED, repr(exc).encode())
        writer.close()
        free.put_nowait(await asyncio.open_connection(spec.host, spec.port))
        return
    _record(spec, stats, time.perf_counter() - due, status, body)
    free.put_nowait((reader, writer))


async def _open_loop(spec: LoadSpec, requests: list[bytes], stats: dict[str, Any], rate: float) -> float:
    """Send ``requests`` in order on their schedule until they or ``max_seconds`` run out;
    returns the seconds until the last answer."""
    free: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(spec.concurrency):
        free.put_nowait(await asyncio.open_connection(spec.host, spec.port))
    loop = asyncio.get_running_loop()
    sent: list[asyncio.Task[None]] = []
    start = time.perf_counter()
    for i, request in enumerate(requests):
        due = start + i / rate
        if due - start >= spec.max_seconds:
            break
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        # how late the driver itself sent this one: large values mean the driver, not the
        # server, could not keep the schedule (the figure is then not a measurement)
        stats["send_lag"] = max(stats.get("send_lag", 0.0), time.perf_counter() - due)
        sent.append(loop.create_task(_send_when_due(spec, request, due, free, stats)))
    await asyncio.gather(*sent)
    elapsed = time.perf_counter() - start
    while not free.empty():
        free.get_nowait()[1].close()
    return elapsed


async def run_load(spec: LoadSpec) -> dict[str, Any]:
    lines = Path(spec.requests_file).read_text().splitlines()
    items = [json.loads(line) for line in lines if line]
    encoded = [encode_request(spec.host, spec.port, item) for item in items]
    if spec.repeat:
        encoded = [encoded[0]] * spec.repeat
    encoded = encoded[: spec.max_requests + spec.warmup]
    warm, timed = encoded[: spec.warmup], encoded[spec.warmup :]
    if warm:
        warm_stats: dict[str, Any] = {"latencies": [], "status": {}, "error_samples": [], "tally": {}}
        warm.reverse()
        await asyncio.gather(*(_connection(spec, warm, warm_stats, time.perf_counter() + 30) for _ in range(spec.concurrency)))
    stats: dict[str, Any] = {"latencies": [], "status": {}, "error_samples": [], "tally": {}}
    if spec.rate:
        elapsed = await _open_loop(spec, timed, stats, spec.rate)
    else:
        timed.reverse()  # pop() from the end takes them in file order
        start = time.perf_counter()
        await asyncio.gather(
            *(_connection(spec, timed, stats, start + spec.max_seconds) for _ in range(spec.concurrency))
        )
        elapsed = time.perf_counter() - start
    latencies = sorted(stats["latencies"])
    report = {
        "requests": len(latencies),
        "seconds": elapsed,
        "rate": len(latencies) / elapsed if elapsed else 0.0,
        "status": {str(k): v for k, v in sorted(stats["status"].items())},
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "max_ms": (latencies[-1] if latencies else float("nan")) * 1000,
        "error_samples": stats["error_samples"],
        "tally": dict(sorted(stats["tally"].items())),
    }
    if spec.rate:
        report["offered_rate"] = spec.rate
        report["max_send_lag_ms"] = stats.get("send_lag", 0.0) * 1000
    return report


def main() -> None:
    spec = LoadSpec(**json.loads(Path(sys.argv[1]).read_text()))
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        pass
    print(json.dumps(asyncio.run(run_load(spec))))


if __name__ == "__main__":
    main()
