"""Micro: free-slot search for two clinicians over a month (bench/slots_bench.py's workload)."""

import random

from bench.core.model import Figure, Plot, SectionResult, Series, Target
from bench.core.section import BenchContext, Section, register
from bench.core.stats import Distribution, time_calls
from bench.slots_bench import GOAL_MS, build_busy, build_schedules, searches

RUNS = 200
VISITS_PER_CLINICIAN = 40


async def run(ctx: BenchContext) -> SectionResult:
    result = SectionResult()
    schedules = build_schedules()
    busy = build_busy(schedules, VISITS_PER_CLINICIAN, random.Random(2026))  # noqa: S311
    free, earliest = searches(schedules, busy)[:2]
    runs = ctx.scaled(RUNS, minimum=20)
    distributions = {}
    for key, (name, work) in (("free_slots", free), ("earliest_slot", earliest)):
        ctx.step(name)
        samples = time_calls(work, runs)
        distributions[key] = samples
        d = Distribution.of(samples)
        short = "free slots, 2 clinicians, a month" if key == "free_slots" else name
        result.add(Figure(f"slots.{key}_ms.p50", f"{short}, median", d.p50, "ms"))
        result.add(
            Figure(
                f"slots.{key}_ms.p95",
                f"{short}, p95",
                d.p95,
                "ms",
                Target(GOAL_MS, "lower", "bench/slots_bench.py"),
            )
        )
    result.plots.append(
        Plot(
            "slots_search_time",
            "latency_histogram",
            "Slot search time, two clinicians over a month (March 2026)",
            tuple(Series(k.replace("_", " "), y=tuple(v)) for k, v in distributions.items()),
            x_label="ms per search",
        )
    )
    return result


register(
    Section(
        "slots",
        "micro",
        5,
        "scheduling: free slots for two clinicians over a month",
        run,
        budget_s=5,
    )
)
