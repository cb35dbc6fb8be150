"""Wallet list for one holder on PostgreSQL with 1M stored credentials over 100k holders.

The data is bulk-loaded with COPY into whatever columns the migrated tables have (values
chosen per column type, so the generator follows the schema as it changes); each holder
has one device. Measured: ``list_credentials`` (the domain function behind
``GET /v1/wallet/credentials``) for random holders, in-process, p50/p99 over many calls.
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text
from sqlmodel import Session

from benchmarks.report import Row
from benchmarks.server import new_config, reset_postgres
from benchmarks.service_setup import app_state
from benchmarks.timing import Spread, percentile

TABLES = ("wallet_holder", "wallet_device", "wallet_stored_credential")
TYPE_IDS = ("resident_registration_abstract", "resident_registration_copy", "national_tax_payment", "local_tax_payment",
            "health_insurance_eligibility", "national_pension_membership", "driving_record", "mobile_driver_licence")


def _value(column: dict[str, Any], row: int, owner: int, now: datetime) -> Any:
    name, kind = column["name"], str(column["type"]).upper()
    if name == "id":
        return f"{row:032x}"
    if name == "holder_id":
        return f"{owner:032x}"
    if name == "device_id":
        return f"{owner:032x}"
    if name == "type_id":
        return TYPE_IDS[row % len(TYPE_IDS)]
    if name in ("expires_at",):
        return now + timedelta(days=365)
    if name in ("stored_at", "issued_at", "created_at"):
        return now - timedelta(seconds=row)
    if "BYTEA" in kind or "BLOB" in kind or "BINARY" in kind:
        return b"\x00" * 64
    if "TIMESTAMP" in kind or "DATETIME" in kind:
        return now
    if "JSON" in kind:
        return '{"kty":"EC"}'
    if "INT" in kind:
        return 0
    if "BOOL" in kind:
        return False
    if "VARCHAR" in kind or "TEXT" in kind or "CHAR" in kind:
        length = getattr(column["type"], "length", None) or 64
        return f"{name[:8]}-{row:x}"[:length] if length >= 10 else "x"
    return None


def _copy_rows(conn: Any, table: str, columns: list[dict[str, Any]], rows: range, owner_of: Any, now: datetime) -> None:
    names = [c["name"] for c in columns if not (c.get("nullable") and c["name"] not in ("type_id",) and c.get("default") is None
                                                and c["name"] not in ("holder_id", "device_id"))]
    wanted = [c for c in columns if c["name"] in names]
    with conn.cursor() as cursor:
        with cursor.copy(f'COPY "{table}" ({", ".join(names)}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([_value(c, row, owner_of(row), now) for c in wanted])


def load(engine: Any, *, holders: int, credentials: int) -> float:
    inspector = inspect(engine)
    now = datetime.now(UTC)
    start = time.perf_counter()
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        _copy_rows(conn, "wallet_holder", inspector.get_columns("wallet_holder"), range(holders), lambda r: r, now)
        _copy_rows(conn, "wallet_device", inspector.get_columns("wallet_device"), range(holders), lambda r: r, now)
        spread = random.Random(7)
        owners = [spread.randrange(holders) for _ in range(credentials)]
        _copy_rows(conn, "wallet_stored_credential", inspector.get_columns("wallet_stored_credential"),
                   range(credentials), lambda r: owners[r], now)
        conn.commit()
        conn.execute("ANALYZE")
        conn.commit()
    finally:
        raw.close()
    return time.perf_counter() - start


def bench_wallet_list(*, quick: bool, database_url: str | None) -> list[Row]:
    title = "wallet list for one holder (1M credentials / 100k holders, PostgreSQL)"
    if not database_url or not database_url.startswith("postgresql"):
        return [Row("wallet_list", title, "ms", None, skipped="needs PostgreSQL (--database-url)")]
    holders, credentials = (10_000, 100_000) if quick else (100_000, 1_000_000)
    calls = 300 if quick else 2000
    reset_postgres(database_url)
    with tempfile.TemporaryDirectory(prefix="ecert-bench-") as tmp:
        config = new_config(database_url, Path(tmp))
        with app_state(config.settings()) as state:
            if not all(inspect(state.engine).has_table(t) for t in TABLES):
                return [Row("wallet_list", title, "ms", None, skipped="wallet tables not migrated yet")]
            try:
                from wallet_api.wallet.credential_views import list_credentials
            except ImportError:
                return [Row("wallet_list", title, "ms", None, skipped="wallet_api.wallet.credential_views.list_credentials absent")]
            load_s = load(state.engine, holders=holders, credentials=credentials)
            reader = _status_reader(state)
            picker = random.Random(11)
            latencies: list[float] = []
            counts: list[int] = []
            with Session(state.engine) as session:
                for i in range(calls + 20):
                    holder = f"{picker.randrange(holders):032x}"
                    t = time.perf_counter()
                    listed = list_credentials(session, holder_id=holder, type_id=None, state=None, reader=reader,
                                              registry=state.registry, retention_days=30)
                    session.commit()
                    if i >= 20:
                        latencies.append((time.perf_counter() - t) * 1000)
                        counts.append(len(listed))
            with state.engine.connect() as conn:
                plan = "\n".join(r[0] for r in conn.execute(text(
                    "EXPLAIN SELECT * FROM wallet_stored_credential WHERE holder_id = :h ORDER BY stored_at DESC, id"),
                    {"h": f"{1:032x}"}))
    latencies.sort()
    p99 = percentile(latencies, 0.99)
    return [Row("wallet_list", title + (" [quick: 100k/10k]" if quick else ""), "ms", Spread.of(latencies),
                targets={"p99_ms": 20.0},
                extra={"p50_ms": round(percentile(latencies, 0.5), 2), "p99_ms": round(p99, 2),
                       "credentials_per_holder_mean": round(sum(counts) / len(counts), 1), "calls": len(latencies),
                       "load_seconds": round(load_s, 1), "rows": credentials, "holders": holders,
                       "plan": plan.splitlines()[:3]},
                note="in-process domain function (no HTTP); sealed blobs are placeholders, so no row is unsealed")]


def _status_reader(state: Any) -> Any:
    from wallet_api.wallet import wiring

    for name in ("status_reader", "build_status_reader", "make_status_reader"):
        factory = getattr(wiring, name, None)
        if factory is not None:
            try:
                return factory(state)
            except TypeError:
                continue
    raise RuntimeError("no status reader factory in wallet_api.wallet.wiring")
