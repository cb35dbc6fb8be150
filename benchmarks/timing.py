"""Rates and latencies with medians over repeated runs, so one noisy run cannot move a figure."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Spread:
    median: float
    low: float
    high: float
    runs: int

    @classmethod
    def of(cls, values: Sequence[float]) -> "Spread":
        return cls(statistics.median(values), min(values), max(values), len(values))

    def as_json(self) -> dict[str, float | int]:
        return {"median": round(self.median, 3), "min": round(self.low, 3), "max": round(self.high, 3), "runs": self.runs}


def rate_once(fn: Callable[[], object], seconds: float) -> float:
    """Calls per second of ``fn`` over about ``seconds``; batches keep clock reads out of the figure."""
    batch = 1
    start = time.perf_counter()
    fn()
    one = time.perf_counter() - start
    batch = max(1, int(0.02 / one)) if one > 0 else 1000
    calls = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(batch):
            fn()
        calls += batch
        now = time.perf_counter()
        if now >= deadline:
            return calls / (now - start)


def interleaved_rates(
    contenders: dict[str, Callable[[], object]], *, seconds: float, runs: int
) -> dict[str, Spread]:
    """Each run times every contender in turn: a slow patch of the machine hits all of them."""
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(runs):
        for name, fn in contenders.items():
            samples[name].append(rate_once(fn, seconds))
    return {name: Spread.of(values) for name, values in samples.items()}


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]
