"""``POST /v1/qr/verify`` under load: 2 uvicorn workers on PostgreSQL, 32 connections.

Set-up (none of it timed): the ``bench`` schema is reset and migrated, a venue (relying
party) registered for the licence's ``adult_check`` claims, then the real server starts with
2 workers and ``ECERT_QR_MOBILE_ID_TTL_S=900``. A few synthetic people enrol through HTTP
(dev identity assertion → holder → device → sign-in), obtain a mobile driver licence and
ask ``POST /v1/wallet/credentials/{id}/qr`` for an ``adult_check`` presentation, exactly as
the app does. The issuer part in it is what the server signed; the benchmark then plays the
phone: it wraps that part in many fresh presentations (each its own ``cti``, signed with the
device key, as ``MobileApp`` does in the tests), and checks one per holder through
``POST /v1/wallet/qr/finish`` so the server itself accepts what is going to be scanned.

Timed: the load driver (a separate process) sends each QR text once, 32 at a time, bounded
in count and seconds; every answer must be 200 with ``valid: true``. Beside each run, the
reference ``GET /healthz`` under the same load. With 32 connections always busy, the mean
latency is 32 / rate (Little's law), so the p99 target needs thousands of verifies a second;
a short run on one connection gives the service time a lone desk sees, for comparison. The
closed loop measures the most the server sustains; a customs hall offers far less, so the
latency is also measured in open loop at fixed offered rates (``OPEN_LOOP_RATES`` scans/s,
each scan sent at its scheduled time and timed from it, so queueing is not hidden). Then the
texts of a finished run are sent again: each answer must be 200, ``valid: false``,
``code: "replayed"``.

``ECERT_BENCH_PYSPY=/some/file.txt`` also records the server (master and both workers) with
py-spy during the first timed run, in py-spy's ``raw`` (collapsed stacks) format.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import cbor2
import httpx
from sqlalchemy import func, select

from benchmarks.load import LoadSpec
from benchmarks.report import Row
from benchmarks.server import ServerConfig, drive, new_config, reset_postgres, running_server, write_requests
from benchmarks.service_setup import app_state, people_with_record, register_party
from benchmarks.timing import Spread
from keys.b64 import b64url_decode, b64url_encode
from keys.jws import Signer, generate_private_key

QR_VERIFY_PATH = "/v1/qr/verify"
PING_PATH = "/healthz"
LICENCE = "mobile_driver_licence"
PROFILE = "adult_check"
PROFILE_CLAIMS = ["age_over_19", "portrait_sha256"]
WORKERS = 2
CONCURRENCY = 32
#: open loop: scans per second offered on a fixed schedule (a customs hall sends far fewer than the top one)
OPEN_LOOP_RATES = (200, 1000)
#: connections the open-loop driver keeps open: requests due while all are busy wait (in the latency)
OPEN_LOOP_CONNECTIONS = 64
#: longest a mobile-ID presentation may live (the setting's ceiling): the texts are made before the runs
QR_TTL_S = 900
SIGN_IN_TYP = "ecert-sign-in+jwt"
DEVICE_REGISTRATION_TYP = "ecert-device-registration+jwt"
TITLE = f"POST {QR_VERIFY_PATH}: text → verdict + single-use mark, {WORKERS} workers, PostgreSQL, {CONCURRENCY} connections"


class _Phone:
    """One holder's app over HTTP (the device key stays here, as on a phone)."""

    def __init__(self, client: httpx.Client, person_id: str) -> None:
        self.client = client
        self.person_id = person_id
        self.signer = Signer.from_private_key(generate_private_key("ES256"))
        self.device_id = ""
        self.token = ""

    def _post(self, path: str, body: dict[str, Any] | None = None, token: str | None = None, expect: int = 200) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        r = self.client.post(path, json=body, headers=headers)
        if r.status_code != expect and not (expect == 201 and r.status_code == 200):
            raise RuntimeError(f"set-up {path}: {r.status_code} {r.text[:300]}")
        return r.json()

    def enrol_and_sign_in(self) -> None:
        assertion = self._post("/v1/dev/identity-assertions", {"person_id": self.person_id})["identity_assertion"]
        enrolment = self._post("/v1/holders", {"identity_assertion": assertion}, expect=201)["enrolment_token"]
        offered = self._post("/v1/holders/me/devices/challenge", token=enrolment)
        possession = self.signer.sign_compact({"typ": DEVICE_REGISTRATION_TYP},
                                              {"challenge": offered["challenge"], "aud": offered["aud"], "iat": int(time.time())},
                                              include_kid=False)
        self.device_id = self._post("/v1/holders/me/devices",
                                    {"jwk": self.signer.public_jwk, "name": "bench phone", "proof": possession},
                                    token=enrolment, expect=201)["id"]
        challenge = self._post("/v1/auth/challenge")
        proof = self.signer.sign_compact({"typ": SIGN_IN_TYP, "kid": self.device_id},
                                         {"challenge": challenge["challenge"], "aud": challenge["aud"], "iat": int(time.time())})
        self.token = self._post("/v1/auth/token", {"proof": proof, "device_id": self.device_id})["access_token"]

    def licence_issuer_part(self) -> bytes:
        """Obtain the licence, ask for an adult_check QR, and keep the issuer part it wraps."""
        credential_id = self._post("/v1/wallet/credentials", {"type_id": LICENCE, "device_id": self.device_id},
                                   token=self.token, expect=201)["id"]
        started = self._post(f"/v1/wallet/credentials/{credential_id}/qr", {"profile": PROFILE}, token=self.token)
        from schemas.qr_payload import wire_keys

        return bytes(cbor2.loads(b64url_decode(started["payload"]))[wire_keys.PRIVATE_CREDENTIAL])

    def qr_text(self, issuer_part: bytes, now: int) -> str:
        """A fresh presentation of the part, signed by this device: one single-use QR text."""
        from schemas.qr_payload import build_presentation, finish_presentation
        from issuers.mobile_id.qr_issuer import FAMILY

        unsigned = build_presentation(issuer_part=issuer_part, family=FAMILY, device_alg="ES256", now=now, ttl_s=QR_TTL_S,
                                      jti=os.urandom(8))
        return finish_presentation(unsigned, self.signer.sign(unsigned.signing_input))

    def finish_through_server(self, issuer_part: bytes, now: int) -> str:
        """The same as ``qr_text`` but assembled and checked by ``POST /v1/wallet/qr/finish``."""
        from schemas.qr_payload import build_presentation
        from issuers.mobile_id.qr_issuer import FAMILY

        unsigned = build_presentation(issuer_part=issuer_part, family=FAMILY, device_alg="ES256", now=now, ttl_s=QR_TTL_S,
                                      jti=os.urandom(8))
        body = {"family": unsigned.family, "protected": b64url_encode(unsigned.protected),
                "payload": b64url_encode(unsigned.payload),
                "signature": b64url_encode(self.signer.sign(unsigned.signing_input))}
        return str(self._post("/v1/wallet/qr/finish", body, token=self.token)["text"])


def _prepare(config: ServerConfig, holders: int) -> tuple[list[str], str]:
    """(person ids with a licence record, venue api key): done before the server starts."""
    # building the state also creates the dev identity provider's key file: not raced by two workers
    with app_state(config.settings()) as state:
        people = people_with_record(state, LICENCE, holders)
        _, api_key = register_party(state, [f"{LICENCE}:{','.join(PROFILE_CLAIMS)}"])
    return [p.person_id for p in people], api_key


def _scan_marks(database_url: str) -> int:
    from sqlalchemy import create_engine

    from verifiers.qr.models import QrScanMark

    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(QrScanMark)).scalar_one())
    finally:
        engine.dispose()


def _sum(reports: list[dict[str, Any]], key: str) -> dict[str, int]:
    total: dict[str, int] = {}
    for report in reports:
        for label, count in report.get(key, {}).items():
            total[label] = total.get(label, 0) + count
    return total


def _bad(reports: list[dict[str, Any]], expected: dict[str, str]) -> int:
    """Answers that were not 200 with the expected fields (each report's tally is per answer)."""
    bad = 0
    for report in reports:
        ok = report["status"].get("200", 0)
        bad += report["requests"] - ok
        for key, value in expected.items():
            bad += max(0, ok - report["tally"].get(f"{key}={value}", 0))
    return bad


def _start_profile(pid: int, seconds: float) -> subprocess.Popen[bytes] | None:
    out = os.environ.get("ECERT_BENCH_PYSPY")
    if not out:
        return None
    command = ["py-spy", "record", "-p", str(pid), "--subprocesses", "-f", "raw", "-o", out, "-r", "250",
               "-d", str(int(seconds) + 1), "--nonblocking"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.0)  # py-spy attaches before the load starts
    return process


def _open_loop_extra(report: dict[str, Any]) -> dict[str, Any]:
    """Latency at a fixed offered rate, counted from each scan's scheduled time."""
    return {"p50_ms": _r(report["p50_ms"]), "p99_ms": _r(report["p99_ms"]), "max_ms": _r(report["max_ms"]),
            "served_req_s": round(report["rate"]), "requests": report["requests"],
            "driver_max_send_lag_ms": _r(report["max_send_lag_ms"])}


def _spread(reports: list[dict[str, Any]], key: str) -> Spread:
    return Spread.of([r[key] for r in reports])


def _r(value: float) -> float:
    return round(value, 2)


def bench_qr_verify(*, quick: bool, database_url: str | None) -> list[Row]:
    if not database_url or not database_url.startswith("postgresql"):
        return [Row("qr_verify", TITLE, "ms p99", None, skipped="needs PostgreSQL (--database-url)")]
    runs, seconds = (2, 2.5) if quick else (5, 5.0)
    per_run = 2000 if quick else 3000
    #: one connection: the service time a lone desk sees (what queueing at 32 multiplies)
    serial_count, serial_seconds = (300, 1.5) if quick else (600, 3.0)
    holders = 4 if quick else 8
    warm = 300
    open_seconds = 2.0 if quick else 4.0
    open_counts = [int(rate * open_seconds) for rate in OPEN_LOOP_RATES]
    ping_requests = per_run * 2
    replay_count = min(per_run, 2000)
    with tempfile.TemporaryDirectory(prefix="ecert-bench-") as tmp:
        workdir = Path(tmp)
        reset_postgres(database_url)
        config = new_config(database_url, workdir)
        person_ids, api_key = _prepare(config, holders)
        extra_env = {"ECERT_QR_MOBILE_ID_TTL_S": str(QR_TTL_S)}
        with running_server(config, workers=WORKERS, extra_env=extra_env) as server:
            # --- set-up through HTTP, then the QR texts made here: none of it timed
            setup_started = time.perf_counter()
            phones: list[tuple[_Phone, bytes]] = []
            with httpx.Client(base_url=config.public_url, timeout=30) as client:
                for person_id in person_ids:
                    phone = _Phone(client, person_id)
                    phone.enrol_and_sign_in()
                    part = phone.licence_issuer_part()
                    phone.finish_through_server(part, int(time.time()))  # the server accepts what we build
                    phones.append((phone, part))
            now = int(time.time())
            total = warm + per_run * runs + serial_count + sum(open_counts)
            texts = [phones[i % len(phones)][0].qr_text(phones[i % len(phones)][1], now) for i in range(total)]
            setup_s = time.perf_counter() - setup_started
            headers = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}
            items = [{"path": QR_VERIFY_PATH, "headers": headers, "body": json.dumps({"text": t, "profile": PROFILE})}
                     for t in texts]
            common = {"host": "127.0.0.1", "port": config.port, "concurrency": CONCURRENCY, "max_seconds": seconds}
            tally = ["valid", "code"]
            # warm both workers (connections, caches, status list) on texts of their own
            warm_report = drive(LoadSpec(requests_file=str(write_requests(workdir / "warm.jsonl", items[:warm])),
                           max_requests=warm, tally=tally, **common), workdir)
            ping_file = write_requests(workdir / "ping.jsonl", [{"method": "GET", "path": PING_PATH}])
            reports: dict[str, list[dict[str, Any]]] = {"verify": [], "ping": [], "replay": []}
            for run in range(runs):
                part_items = items[warm + run * per_run : warm + (run + 1) * per_run]
                part = write_requests(workdir / f"verify-{run}.jsonl", part_items)
                profiler = _start_profile(server.pid, seconds) if run == 0 else None
                reports["verify"].append(drive(LoadSpec(requests_file=str(part), max_requests=per_run, tally=tally, **common),
                                               workdir))
                if profiler is not None:
                    profiler.wait(timeout=seconds + 30)
                reports["ping"].append(drive(LoadSpec(requests_file=str(ping_file), max_requests=ping_requests,
                                                      repeat=ping_requests, **common), workdir))
            serial_items = items[warm + per_run * runs : warm + per_run * runs + serial_count]
            open_from = warm + per_run * runs + serial_count
            for rate, count in zip(OPEN_LOOP_RATES, open_counts):
                scheduled = write_requests(workdir / f"open-{rate}.jsonl", items[open_from : open_from + count])
                open_from += count
                reports[f"open_{rate}"] = [drive(LoadSpec(
                    requests_file=str(scheduled), max_requests=count, tally=tally, rate=float(rate),
                    **{**common, "concurrency": OPEN_LOOP_CONNECTIONS, "max_seconds": open_seconds}), workdir)]
            reports["serial"] = [drive(LoadSpec(
                requests_file=str(write_requests(workdir / "serial.jsonl", serial_items)), max_requests=serial_count,
                tally=tally, **{**common, "concurrency": 1, "max_seconds": serial_seconds}), workdir)]
            # replay: texts the first run already passed (each once more)
            used = reports["verify"][0]["requests"]
            replayed = write_requests(workdir / "replay.jsonl", items[warm : warm + min(used, replay_count)])
            reports["replay"].append(drive(LoadSpec(requests_file=str(replayed), max_requests=replay_count, tally=tally,
                                                    **common), workdir))
            server_alive = server.poll() is None
        marks = _scan_marks(database_url)

    verify, ping, replay, serial = reports["verify"], reports["ping"], reports["replay"], reports["serial"]
    open_loop = [report for rate in OPEN_LOOP_RATES for report in reports[f"open_{rate}"]]
    verify_bad = _bad(verify + serial + open_loop, {"valid": "True"})
    replay_bad = _bad(replay, {"valid": "False", "code": "'replayed'"})
    accepted = sum(r["tally"].get("valid=True", 0) for r in [warm_report, *verify, *serial, *open_loop])
    p99 = _spread(verify, "p99_ms")
    status_5xx = sum(c for r in [warm_report, *verify, *serial, *open_loop, *replay]
                     for s, c in r["status"].items() if s.startswith("5"))
    notes = []
    if verify_bad or status_5xx:
        notes.append(f"ERROR: {verify_bad} verify answers were not 200 with valid=true ({status_5xx} 5xx)")
    if replay_bad:
        notes.append(f"ERROR: {replay_bad} replayed texts were not refused as replayed")
    if not server_alive:
        notes.append("ERROR: the server exited during the runs")
    extra_common = {"database": "postgresql", "workers": WORKERS, "connections": CONCURRENCY}
    rows = [
        Row("qr_verify", TITLE, "ms p99", p99,
            refs={"GET /healthz": _spread(ping, "p99_ms")},
            targets={"p99_ms": 10.0, "bad_answers": 0},
            extra={**extra_common,
                   "p99_ms": _r(p99.median),
                   "p50_ms": _r(statistics.median([r["p50_ms"] for r in verify])),
                   "max_ms": _r(max(r["max_ms"] for r in verify)),
                   "rate_req_s": round(statistics.median([r["rate"] for r in verify])),
                   # Little's law: 32 connections always busy → mean latency = 32 / rate
                   "mean_ms_from_rate": _r(1000 * CONCURRENCY / statistics.median([r["rate"] for r in verify])),
                   "one_connection_p50_ms": _r(serial[0]["p50_ms"]), "one_connection_p99_ms": _r(serial[0]["p99_ms"]),
                   "one_connection_rate_req_s": round(serial[0]["rate"]),
                   **{f"open_loop_{rate}_per_s": _open_loop_extra(reports[f"open_{rate}"][0]) for rate in OPEN_LOOP_RATES},
                   "healthz_p50_ms": _r(statistics.median([r["p50_ms"] for r in ping])),
                   "healthz_rate_req_s": round(statistics.median([r["rate"] for r in ping])),
                   "requests": sum(r["requests"] for r in verify),
                   "statuses": _sum(verify, "status"), "answers": _sum(verify, "tally"),
                   "bad_answers": verify_bad,
                   "scan_marks_in_db": marks, "accepted_all_runs": accepted,
                   "holders": len(person_ids), "setup_s": round(setup_s, 1),
                   "errors": [s for r in verify for s in r["error_samples"]][:3]},
            note="; ".join(notes) or "value and reference: p99 per run (median [min–max]); every text sent once"),
        Row("qr_verify_replay", f"POST {QR_VERIFY_PATH}: already-used texts → replayed, same server", "ms p99",
            _spread(replay, "p99_ms"),
            targets={"bad_answers": 0},
            extra={"p50_ms": _r(replay[0]["p50_ms"]), "rate_req_s": round(replay[0]["rate"]),
                   "requests": replay[0]["requests"], "statuses": _sum(replay, "status"), "answers": _sum(replay, "tally"),
                   "bad_answers": replay_bad, "errors": [s for r in replay for s in r["error_samples"]][:3]}),
    ]
    return rows

