"""Micro: conflict evaluation per change by list length (bench/engine_bench.py's workload)."""

import math
import random

from bench.core.model import Figure, Plot, SectionResult, Series, Target
from bench.core.section import BenchContext, Section, register
from bench.engine_bench import GOAL_MICROS, GOAL_SIZE, SIZES, measure, medication_list, quiet_list
from services.care_team.domain.engine import ConflictEngine

ISSUE = "performance issue"
LISTS_PER_SIZE = 40
SECONDS_PER_SIZE = 0.5


def growth_exponent(sizes: list[float], micros: list[float]) -> float:
    """Least-squares slope of log(time) on log(size): 1.0 is linear, 2.0 quadratic."""
    xs = [math.log(s) for s in sizes]
    ys = [math.log(m) for m in micros]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


async def run(ctx: BenchContext) -> SectionResult:
    result = SectionResult()
    ctx.step("loading the knowledge base")
    engine = ConflictEngine.load()
    seconds = max(0.05, SECONDS_PER_SIZE * ctx.scale)
    timings: list[float] = []
    for size in SIZES:
        ctx.step(f"{size} medications")
        rng = random.Random(size)  # noqa: S311 - seeded test data, not security
        lists = [medication_list(size, rng) for _ in range(LISTS_PER_SIZE)]
        micros, findings = measure(engine, lists, seconds)
        timings.append(micros)
        target = Target(GOAL_MICROS, "lower", ISSUE) if size == GOAL_SIZE else None
        result.add(
            Figure(
                f"engine.evaluate_us.{size}",
                f"conflict evaluation, {size} medications",
                micros,
                "µs",
                target,
                note=f"{findings:.1f} findings per list on average",
            )
        )
    ctx.step("20 medications no rule pairs")
    quiet, _ = measure(engine, [quiet_list()], seconds)
    result.add(
        Figure(
            "engine.evaluate_us.20_quiet",
            "conflict evaluation, 20 with no rule",
            quiet,
            "µs",
            relative_to=f"engine.evaluate_us.{GOAL_SIZE}",
        )
    )
    sizes = [float(s) for s in SIZES]
    result.add(
        Figure(
            "engine.growth_exponent",
            f"growth exponent, {SIZES[0]}-{SIZES[-1]} medications",
            growth_exponent(sizes, timings),
            "",
            Target(1.0, "lower", ISSUE),
            note="slope of log time on log length: 1 = linear",
        )
    )
    result.plots.append(
        Plot(
            "engine_time_vs_list_length",
            "time_vs_size",
            "Conflict evaluation time against medication-list length",
            (Series("µs per evaluation", tuple(sizes), tuple(timings)),),
            x_label="medications on the list",
            y_label="µs per evaluation",
            linear_reference=True,
        )
    )
    return result


register(
    Section(
        "engine", "micro", 5, "conflict engine: µs per evaluation by list length", run, budget_s=5
    )
)
