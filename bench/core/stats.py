"""Small statistics helpers the sections share (pure, unit-tested)."""

import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass


def percentile(samples: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100), linearly interpolated between the closest ranks
    (numpy's default), so p50 of [1, 2, 3, 4] is 2.5."""
    if not samples:
        raise ValueError("percentile of no samples")
    if not 0 <= p <= 100:
        raise ValueError(f"percentile {p} outside 0-100")
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Distribution:
    count: int
    p50: float
    p95: float
    p99: float
    max: float

    @classmethod
    def of(cls, samples: Sequence[float]) -> "Distribution":
        return cls(
            count=len(samples),
            p50=percentile(samples, 50),
            p95=percentile(samples, 95),
            p99=percentile(samples, 99),
            max=max(samples),
        )


def per_second(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else 0.0


def time_calls(work: Callable[[], object], runs: int) -> list[float]:
    """Milliseconds per call over `runs` calls, after one warm-up call."""
    work()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        samples.append((time.perf_counter() - start) * 1e3)
    return samples


async def time_async_calls(work: Callable[[], Awaitable[object]], runs: int) -> list[float]:
    """Milliseconds per awaited call over `runs` calls, after one warm-up call."""
    await work()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        await work()
        samples.append((time.perf_counter() - start) * 1e3)
    return samples
