"""Small helpers shared by the benchmark scripts: best-of-N timing and report lines."""

from __future__ import annotations

import time
from typing import Callable


def best_of(fn: Callable[[], object], runs: int = 5) -> float:
    """Seconds taken by the fastest of `runs` calls of `fn` (the least disturbed one)."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def verdict(value: float, target: float, *, higher_is_better: bool = True) -> str:
    ok = value >= target if higher_is_better else value <= target
    return "meets target" if ok else "MISSES target"


def line(label: str, ours: float, theirs: float, unit: str = "GB/s") -> str:
    return f"{label:<44} ours {ours:8.2f} {unit}   alternative {theirs:8.2f} {unit}   ratio {ours / theirs:6.1f}x"
