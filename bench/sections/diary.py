"""Micro: a clinician's diary measures over five years of entries, in memory and from
PostgreSQL (bench/diary_bench.py and bench/diary_store_bench.py's workloads)."""

import random
from datetime import timedelta

from bench import diary_store_bench
from bench.core.model import Figure, SectionResult, Target
from bench.core.section import BenchContext, Section, register
from bench.core.stats import Distribution, time_calls
from bench.diary_bench import AS_OF, GOAL_MS, build_diary, full_summary

YEARS = 5
RUNS = 30
GOAL = Target(GOAL_MS, "lower", "bench/diary_bench.py")


async def run(ctx: BenchContext) -> SectionResult:
    result = SectionResult()
    runs = ctx.scaled(RUNS, minimum=5)
    ctx.step(f"building {YEARS} years of diary")
    attacks, checkins, questionnaires = build_diary(YEARS, random.Random(2026))  # noqa: S311
    last_visit = AS_OF.date() - timedelta(days=35)
    ctx.step("clinician summary from facts in memory")
    samples = time_calls(lambda: full_summary(attacks, checkins, questionnaires, last_visit), runs)
    summary = Distribution.of(samples)
    result.add(
        Figure(
            "diary.summary_ms.p50",
            f"diary summary, {YEARS} y in memory, median",
            summary.p50,
            "ms",
            GOAL,
        )
    )
    result.add(
        Figure(
            "diary.summary_ms.p95", f"diary summary, {YEARS} y in memory, p95", summary.p95, "ms"
        )
    )
    ctx.step(f"storing {YEARS} years in PostgreSQL and loading them back")
    stored = await diary_store_bench.run(ctx.database_url, YEARS, runs, say=ctx.step)
    for name, (median, p95) in stored.items():
        key = name.replace(" ", "_")
        result.add(
            Figure(
                f"diary.store.{key}_ms.p50",
                f"diary {name}, {YEARS} y from PostgreSQL, median",
                median,
                "ms",
                GOAL,
            )
        )
        result.add(
            Figure(
                f"diary.store.{key}_ms.p95",
                f"diary {name}, {YEARS} y from PostgreSQL, p95",
                p95,
                "ms",
            )
        )
    return result


register(
    Section(
        "diary",
        "micro",
        5,
        "diary: measures over five years of entries",
        run,
        needs=frozenset({"postgres"}),
        budget_s=20,
    )
)
