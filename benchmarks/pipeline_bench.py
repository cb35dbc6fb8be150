"""Issuance through the whole pipeline (agency record → claims → SD-JWT VC → status slot →
record committed), per second, and the size of a credential of every certificate type."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from sqlmodel import Session

from benchmarks.report import Row
from benchmarks.server import new_config, reset_postgres
from benchmarks.service_setup import app_state, issue_one, people_with_record
from benchmarks.timing import Spread
from issuers.adapters.base import Subject
from issuers.pipeline import DECOYS, fetch_claims, issue_credential
from issuers.sd_jwt_issuer import issue_sd_jwt, plan_from_type
from keys.jws import Signer, generate_private_key
from keys.sd_jwt import attach_kb_jwt, kb_jwt_signing_input, select_disclosures
from wallet_api.wiring.issuing import issuer_services

TYPE_ID = "resident_registration_abstract"


def _timed_rate(fn: Any, count: int, seconds: float) -> float:
    done = 0
    start = time.perf_counter()
    while done < count and time.perf_counter() - start < seconds:
        fn(done)
        done += 1
    return done / (time.perf_counter() - start)


def _pipeline_rates(database_url: str | None, *, quick: bool) -> tuple[Spread, Spread]:
    """(library: claims + signing, no database; whole pipeline with its commit) in issues/s."""
    runs, seconds = (2, 1.0) if quick else (5, 3.0)
    with tempfile.TemporaryDirectory(prefix="ecert-bench-") as tmp:
        if database_url and database_url.startswith("postgresql"):
            reset_postgres(database_url)
        config = new_config(database_url, Path(tmp))
        holder = Signer.from_private_key(generate_private_key("ES256"))
        with app_state(config.settings()) as state:
            people = people_with_record(state, TYPE_ID, 200)
            type_def = state.registry.get(TYPE_ID)
            plan = plan_from_type(type_def)
            library, full = [], []
            with Session(state.engine, expire_on_commit=False) as session:
                context = issuer_services(state, session)
                now = state.clock.now()

                def library_one(i: int) -> None:
                    claims = fetch_claims(context, type_def, Subject(rrn=people[i % len(people)].rrn), now)
                    issue_sd_jwt(signer=context.signer, claims=claims, disclosable=plan, decoys=DECOYS,
                                 registered={"iss": context.issuer_id, "iat": 0, "exp": 1, "vct": "v",
                                             "cnf": {"jwk": holder.public_jwk}, "status": {"status_list": {"idx": i, "uri": "u"}}})

                def full_one(i: int) -> None:
                    issue_credential(session, context=context, type_id=TYPE_ID, subject=Subject(rrn=people[i % len(people)].rrn),
                                     holder_jwk=holder.public_jwk, now=state.clock.now())

                full_one(0)
                for _ in range(runs):
                    library.append(_timed_rate(library_one, 100_000, seconds))
                    full.append(_timed_rate(full_one, 100_000, seconds))
    return Spread.of(library), Spread.of(full)


def bench_pipeline(*, quick: bool, database_url: str | None) -> list[Row]:
    rows = []
    library, sqlite = _pipeline_rates(None, quick=quick)
    refs = {"library (claims + SD-JWT, no DB)": library}
    ratios = {"SQLite of library": sqlite.median / library.median}
    if database_url:
        _, postgres = _pipeline_rates(database_url, quick=quick)
        refs["PostgreSQL pipeline"] = postgres
        ratios["PostgreSQL of library"] = postgres.median / library.median
    rows.append(Row("pipeline", f"issue_credential ({TYPE_ID}), one session, sequential, SQLite", "issues/s", sqlite,
                    refs=refs, ratios=ratios))
    return rows


def bench_sizes(*, quick: bool, database_url: str | None = None) -> list[Row]:
    """Bytes of one credential of each type (issue 3), and of a full presentation with a KB-JWT."""
    sizes: dict[str, dict[str, int]] = {}
    with tempfile.TemporaryDirectory(prefix="ecert-bench-") as tmp:
        config = new_config(None, Path(tmp))
        holder = Signer.from_private_key(generate_private_key("ES256"))
        with app_state(config.settings()) as state, Session(state.engine, expire_on_commit=False) as session:
            for type_def in state.registry:
                if type_def.delivery != "sd-jwt-vc":
                    continue
                try:
                    person = people_with_record(state, type_def.id, 1)[0]
                except RuntimeError:
                    continue
                credential = issue_one(state, session, type_def.id, holder, person).credential
                everything = select_disclosures(credential, [(c.name,) for c in type_def.claims])
                header, payload = kb_jwt_signing_input(presentation=everything, nonce="n" * 22, aud="https://bank.example", iat=0)
                presented = attach_kb_jwt(everything, holder.sign_compact(header, payload, include_kid=False))
                sizes[type_def.id] = {
                    "credential_bytes": len(credential),
                    "issuer_jwt_bytes": len(credential.split("~", 1)[0]),
                    "disclosures": credential.count("~") - 1,
                    "full_presentation_with_kb_bytes": len(presented),
                }
    values = [s["credential_bytes"] for s in sizes.values()]
    return [Row("sizes", "SD-JWT VC size per certificate type (bytes, decoys included)", "bytes",
                Spread.of(values) if values else None, extra={"per_type": sizes})]
