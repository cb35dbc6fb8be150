"""Figures over HTTP: the real server in a subprocess, the load driver in another.

Each endpoint is measured beside a reference on the same server in the same run, runs
alternating, so a slow patch of the (shared, two-core) machine hits both.
"""

from __future__ import annotations

import json
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session

from benchmarks.harness_app import RAW_VERIFY_PATH
from benchmarks.load import LoadSpec
from benchmarks.report import Row
from benchmarks.server import ServerConfig, drive, new_config, reset_postgres, running_server, write_requests
from benchmarks.service_setup import app_state, create_offers, issue_one, people_with_record, register_party
from benchmarks.timing import Spread
from keys.jws import Signer, generate_private_key

HARNESS = "benchmarks.harness_app:create_harness_app"
VERIFY_TYPE = "resident_registration_abstract"
ISSUE_TYPE = "resident_registration_abstract"
PING_PATH = "/healthz"


def _config(database_url: str | None, workdir: Path) -> ServerConfig:
    if database_url and database_url.startswith("postgresql"):
        reset_postgres(database_url)
    return new_config(database_url, workdir)


def _alternate(specs: dict[str, LoadSpec], workdir: Path, runs: int) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in specs}
    for _ in range(runs):
        for name, spec in specs.items():
            out[name].append(drive(spec, workdir))
    return out


def _rates(reports: list[dict[str, Any]]) -> Spread:
    return Spread.of([r["rate"] for r in reports])


def _statuses(reports: list[dict[str, Any]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for report in reports:
        for status, count in report["status"].items():
            total[status] = total.get(status, 0) + count
    return total


def _errors(reports: list[dict[str, Any]]) -> list[str]:
    return [sample for r in reports for sample in r["error_samples"]][:3]


def bench_http_verify(*, quick: bool, database_url: str | None) -> list[Row]:
    runs, seconds = (2, 2.0) if quick else (5, 4.0)
    per_run = 1500 if quick else 6000
    with tempfile.TemporaryDirectory(prefix="ecert-bench-") as tmp:
        workdir = Path(tmp)
        config = _config(database_url, workdir)
        holder = Signer.from_private_key(generate_private_key("ES256"))
        with app_state(config.settings()) as state:
            person = people_with_record(state, VERIFY_TYPE, 1)[0]
            with Session(state.engine, expire_on_commit=False) as session:
                credential = issue_one(state, session, VERIFY_TYPE, holder, person).credential
            client_id, api_key = register_party(state, [f"{VERIFY_TYPE}:name,age_over_19,issuing_office"])
            issuer_jwk = _issuer_jwk(state, credential)
        # every verification request carries its own KB-JWT nonce: the verifier marks each one used
        now = int(time.time())
        headers = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}
        bodies = []
        total = per_run * runs + 200
        for i in range(total):
            nonce = f"bench-{i:08d}"
            presentation = _presentation(credential, holder, nonce, client_id, now)
            bodies.append({"path": "/v1/verify", "headers": headers,
                           "body": json.dumps({"presentation": presentation, "nonce": nonce, "audience": client_id})})
        verify_file = write_requests(workdir / "verify.jsonl", bodies)
        raw_file = write_requests(workdir / "raw.jsonl", [{**bodies[0], "path": RAW_VERIFY_PATH}])
        ping_file = write_requests(workdir / "ping.jsonl", [{"method": "GET", "path": PING_PATH}])
        keys_file = workdir / "raw-keys.json"
        keys_file.write_text(json.dumps({"issuer_jwk": issuer_jwk, "holder_jwk": holder.public_jwk}))
        with running_server(config, app=HARNESS, factory=True, extra_env={"ECERT_BENCH_RAW_KEYS": str(keys_file)}):
            common = {"host": "127.0.0.1", "port": config.port, "concurrency": 16, "max_seconds": seconds}
            # verify requests are consumed in file order across runs: each run gets its own slice
            verify_specs = []
            for run in range(runs):
                part = write_requests(workdir / f"verify-{run}.jsonl", bodies[200 + run * per_run : 200 + (run + 1) * per_run])
                verify_specs.append(LoadSpec(requests_file=str(part), max_requests=per_run, **common))
            warm = LoadSpec(requests_file=str(verify_file), max_requests=200, **common)
            drive(warm, workdir)
            reports: dict[str, list[dict[str, Any]]] = {"verify": [], "raw": [], "ping": []}
            for run in range(runs):
                reports["verify"].append(drive(verify_specs[run], workdir))
                reports["raw"].append(drive(LoadSpec(requests_file=str(raw_file), max_requests=per_run, repeat=per_run, **common), workdir))
                reports["ping"].append(drive(LoadSpec(requests_file=str(ping_file), max_requests=per_run * 2, repeat=per_run * 2, **common), workdir))
    verify, raw, ping = _rates(reports["verify"]), _rates(reports["raw"]), _rates(reports["ping"])
    statuses = _statuses(reports["verify"])
    return [
        Row("http_verify", "POST /v1/verify over HTTP, 1 uvicorn worker, 16 connections", "req/s", verify,
            refs={"bare 2-verify endpoint": raw, "GET /healthz": ping},
            ratios={"of bare 2-verify endpoint": verify.median / raw.median},
            targets={"of bare 2-verify endpoint": 0.6},
            extra={"database": "postgresql" if config.database_url.startswith("postgresql") else "sqlite",
                   "statuses": statuses, "p99_ms": round(max(r["p99_ms"] for r in reports["verify"]), 1),
                   "errors": _errors(reports["verify"])}),
    ]


def _issuer_jwk(state: Any, credential: str) -> dict[str, Any]:
    """The issuer's public JWK as the server publishes it (by the credential's kid)."""
    from keys.jwk import public_jwk
    from keys.jws import parse_compact
    from keys.store import verification_key

    kid = parse_compact(credential.split("~", 1)[0]).unverified_header["kid"]
    with Session(state.engine) as session:
        return public_jwk(verification_key(session, kid, now=state.clock.now()).public_key)


def _presentation(credential: str, holder: Signer, nonce: str, aud: str, now: int) -> str:
    from keys.sd_jwt import attach_kb_jwt, kb_jwt_signing_input, select_disclosures

    presentation = select_disclosures(credential, [("name",), ("age_over_19",), ("issuing_office",)])
    header, payload = kb_jwt_signing_input(presentation=presentation, nonce=nonce, aud=aud, iat=now)
    return attach_kb_jwt(presentation, holder.sign_compact(header, payload, include_kid=False))


def _credential_requests(state: Any, config: ServerConfig, count: int) -> list[dict[str, Any]]:
    """``count`` ready credential requests: offer → token → nonce done in-process beforehand,
    each with its own holder key proof, so the timed part is the credential endpoint alone."""
    from issuers.oid4vci.nonces import issue_nonce
    from issuers.oid4vci.tokens import parse_token_request, redeem_pre_authorized_code
    from issuers.oid4vci.offers import PRE_AUTHORIZED_GRANT

    codes = create_offers(state, ISSUE_TYPE, count)
    holder = Signer.from_private_key(generate_private_key("ES256"))
    header = {"typ": "openid4vci-proof+jwt", "jwk": holder.public_jwk}
    items = []
    with Session(state.engine, expire_on_commit=False) as session:
        for code in codes:
            now = state.clock.now()
            token = redeem_pre_authorized_code(
                session, request=parse_token_request({"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code}),
                now=now, ttl=timedelta(hours=1),
            ).access_token
            nonce = issue_nonce(session, now=now, ttl=timedelta(hours=1))
            proof = holder.sign_compact(header, {"aud": state.settings.issuer_id, "iat": int(time.time()), "nonce": nonce},
                                        include_kid=False)
            items.append({"path": "/credential",
                          "headers": {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                          "body": json.dumps({"credential_configuration_id": ISSUE_TYPE, "proofs": {"jwt": [proof]}})})
    return items


def bench_http_oid4vci(*, quick: bool, database_url: str | None) -> list[Row]:
    runs, seconds = (2, 2.0) if quick else (3, 4.0)
    per_run = 300 if quick else 1500
    with tempfile.TemporaryDirectory(prefix="ecert-bench-") as tmp:
        workdir = Path(tmp)
        config = _config(database_url, workdir)
        with app_state(config.settings()) as state:
            requests = _credential_requests(state, config, per_run * runs + 50)
        ping_file = write_requests(workdir / "ping.jsonl", [{"method": "GET", "path": PING_PATH}])
        with running_server(config, app=HARNESS, factory=True):
            common = {"host": "127.0.0.1", "port": config.port, "concurrency": 16, "max_seconds": seconds}
            drive(LoadSpec(requests_file=str(write_requests(workdir / "warm.jsonl", requests[:50])), max_requests=50, **common), workdir)
            reports: dict[str, list[dict[str, Any]]] = {"credential": [], "ping": []}
            for run in range(runs):
                part = write_requests(workdir / f"cred-{run}.jsonl", requests[50 + run * per_run : 50 + (run + 1) * per_run])
                reports["credential"].append(drive(LoadSpec(requests_file=str(part), max_requests=per_run, **common), workdir))
                reports["ping"].append(drive(LoadSpec(requests_file=str(ping_file), max_requests=per_run * 4, repeat=per_run * 4, **common), workdir))
    credential, ping = _rates(reports["credential"]), _rates(reports["ping"])
    return [
        Row("http_oid4vci", "OpenID4VCI POST /credential over HTTP, 1 worker, 16 connections", "credentials/s", credential,
            refs={"GET /healthz (bare, 1 DB query)": ping},
            ratios={"of bare endpoint": credential.median / ping.median},
            targets={"min_rate": 500},
            extra={"database": "postgresql" if config.database_url.startswith("postgresql") else "sqlite",
                   "statuses": _statuses(reports["credential"]),
                   "p99_ms": round(max(r["p99_ms"] for r in reports["credential"]), 1),
                   "errors": _errors(reports["credential"])}),
    ]
