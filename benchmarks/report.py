"""One result row per figure; printed as a table and written as JSON."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.timing import Spread


@dataclass
class Row:
    name: str
    title: str
    unit: str
    value: Spread | None
    refs: dict[str, Spread] = field(default_factory=dict)
    ratios: dict[str, float] = field(default_factory=dict)
    #: ratio name → the least it must be; "p99_ms" etc. → the most a figure may be
    targets: dict[str, float] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    #: set when the thing measured is not there yet: the row says so instead of a figure
    skipped: str | None = None
    note: str | None = None

    def verdicts(self) -> dict[str, bool]:
        out: dict[str, bool] = {}
        for key, target in self.targets.items():
            if key in self.ratios:
                out[key] = self.ratios[key] >= target
            elif key in self.extra:  # upper bounds: latencies
                out[key] = self.extra[key] <= target
            elif key == "min_rate" and self.value is not None:
                out[key] = self.value.median >= target
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "unit": self.unit,
            "value": self.value.as_json() if self.value else None,
            "references": {k: v.as_json() for k, v in self.refs.items()},
            "ratios": {k: round(v, 3) for k, v in self.ratios.items()},
            "targets": self.targets,
            "met": self.verdicts(),
            "extra": self.extra,
            "skipped": self.skipped,
            "note": self.note,
        }


def _fmt(spread: Spread) -> str:
    return f"{spread.median:,.0f} [{spread.low:,.0f}–{spread.high:,.0f}]" if spread.median >= 100 else (
        f"{spread.median:.2f} [{spread.low:.2f}–{spread.high:.2f}]"
    )


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        memory_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": os.getloadavg(),
    }


def print_table(rows: list[Row]) -> None:
    for row in rows:
        print(f"\n== {row.name}: {row.title}")
        if row.skipped:
            print(f"   SKIPPED: {row.skipped}")
            continue
        if row.value is not None:
            print(f"   ours            {_fmt(row.value)} {row.unit}  (median [min–max], {row.value.runs} runs)")
        for name, spread in row.refs.items():
            print(f"   {name:<15} {_fmt(spread)} {row.unit}")
        verdicts = row.verdicts()
        for key, ratio in row.ratios.items():
            mark = ""
            if key in verdicts:
                mark = f"  target {row.targets[key]:g}: {'MET' if verdicts[key] else 'MISSED'}"
            print(f"   {key:<22} {ratio:.2f}{mark}")
        for key, value in row.extra.items():
            if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
                print(f"   {key}:")
                for item, fields in value.items():
                    print(f"     {item:<36} " + "  ".join(f"{k}={v}" for k, v in fields.items()))
                continue
            mark = f"  target ≤ {row.targets[key]:g}: {'MET' if verdicts[key] else 'MISSED'}" if key in verdicts else ""
            print(f"   {key:<22} {value}{mark}")
        if "min_rate" in verdicts:
            print(f"   target ≥ {row.targets['min_rate']:g} {row.unit}: {'MET' if verdicts['min_rate'] else 'MISSED'}")
        if row.note:
            print(f"   note: {row.note}")


def write_json(rows: list[Row], path: Path, *, quick: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "machine": machine(),
        "results": {row.name: row.as_json() for row in rows},
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
