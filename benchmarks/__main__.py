"""``python -m benchmarks [--quick] [--database-url URL] [NAME ...]``

Runs the named benchmarks (all by default), prints the table and writes
``benchmarks/results/latest.json``. Every run is bounded in time and in request count.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from benchmarks.report import Row, machine, print_table, write_json

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/bench"
RESULTS = Path(__file__).parent / "results" / "latest.json"


def _registry() -> dict[str, Callable[..., list[Row]]]:
    from benchmarks import http_bench, library, pipeline_bench, qr_bench, wallet_bench

    return {
        "sd_jwt_verify": lambda quick, database_url: library.bench_sd_jwt_verify(quick=quick),
        "sd_jwt_issue": lambda quick, database_url: library.bench_sd_jwt_issue(quick=quick),
        "http_verify": lambda quick, database_url: http_bench.bench_http_verify(quick=quick, database_url=database_url),
        "http_oid4vci": lambda quick, database_url: http_bench.bench_http_oid4vci(quick=quick, database_url=database_url),
        "qr_verify": lambda quick, database_url: qr_bench.bench_qr_verify(quick=quick, database_url=database_url),
        "qr_render": lambda quick, database_url: qr_bench.bench_qr_render(quick=quick),
        "wallet_list": lambda quick, database_url: wallet_bench.bench_wallet_list(quick=quick, database_url=database_url),
        "sizes": lambda quick, database_url: pipeline_bench.bench_sizes(quick=quick),
        "pipeline": lambda quick, database_url: pipeline_bench.bench_pipeline(quick=quick, database_url=database_url),
    }


def _postgres_reachable(url: str) -> bool:
    try:
        import psycopg

        psycopg.connect(url, connect_timeout=3).close()
        return True
    except Exception:
        return False


def main(argv: list[str] | None = None) -> int:
    benchmarks = _registry()
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"subset to run: {', '.join(benchmarks)}")
    parser.add_argument("--quick", action="store_true", help="short runs (smoke test, noisier figures)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL,
                        help="PostgreSQL for the database figures; its public schema is dropped and re-created")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in benchmarks]
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; choose from {list(benchmarks)}")
    database_url = args.database_url if _postgres_reachable(args.database_url) else None
    if database_url is None:
        print(f"PostgreSQL at {args.database_url} not reachable: database figures use SQLite or are skipped", file=sys.stderr)
    info = machine()
    print(f"machine: {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB, Python {info['python']}, "
          f"load average {tuple(round(x, 2) for x in info['load_average'])}")
    rows: list[Row] = []
    for name in args.names or list(benchmarks):
        started = time.perf_counter()
        try:
            rows += benchmarks[name](args.quick, database_url)
        except Exception as exc:  # one broken figure must not hide the others
            traceback.print_exc()
            rows.append(Row(name, name, "", None, skipped=f"failed: {type(exc).__name__}: {exc}"))
        print(f"[{name}: {time.perf_counter() - started:.0f} s]", file=sys.stderr, flush=True)
    print_table(rows)
    write_json(rows, args.output, quick=args.quick)
    print(f"\nwritten: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
