"""Micro: conflict evaluation per change by list length (bench/engine_bench.py's workload).

Three views, because pair rules make quadratically many findings (about 2, 5, 14 and 59
on 5, 10, 20 and 40 drugs): the whole evaluation (the ≤ 50 µs goal at 20), the same
sizes with no rule applying (the per-drug work of the attribute rules: must be linear),
and the cost per finding beyond that (must not grow with the list).
"""

from bench.core.model import Figure, Plot, SectionResult, Series, Target
from bench.core.section import BenchContext, Section, register
from bench.engine_bench import GOAL_MICROS, GOAL_SIZE, SizeResult, growth_exponent, measure_sizes
from services.care_team.domain.engine import ConflictEngine

ISSUE = "performance issue"
LISTS_PER_SIZE = 40
SECONDS_PER_SIZE = 0.5

__all__ = ["growth_exponent", "run"]


async def run(ctx: BenchContext) -> SectionResult:
    result = SectionResult()
    ctx.step("loading the knowledge base")
    engine = ConflictEngine.load()
    seconds = max(0.05, SECONDS_PER_SIZE * ctx.scale)
    results = measure_sizes(engine, LISTS_PER_SIZE, seconds, ctx.step)
    for r in results:
        _size_figures(result, r)
    sizes = tuple(float(r.size) for r in results)
    total = tuple(r.mixed.micros for r in results)
    quiet = tuple(r.quiet.micros for r in results)
    per_finding = tuple(r.per_finding or 0.0 for r in results)
    span = f"{results[0].size}-{results[-1].size} medications"
    result.add(
        Figure(
            "engine.growth_exponent",
            f"growth exponent, whole evaluation, {span}",
            growth_exponent(sizes, total),
            "",
            note="slope of log time on log length; findings grow quadratically (pairs)",
        )
    )
    result.add(
        Figure(
            "engine.growth_exponent.no_rule",
            f"growth exponent, no rule applies, {span}",
            growth_exponent(sizes, quiet),
            "",
            Target(1.0, "lower", ISSUE),
            note="the per-drug work of the attribute rules: 1 = linear",
        )
    )
    result.add(
        Figure(
            "engine.growth_exponent.per_finding",
            f"growth exponent, µs per finding, {span}",
            growth_exponent(sizes, per_finding),
            "",
            Target(0.0, "lower", ISSUE),
            note="≤ 0: a finding costs no more on a longer list",
        )
    )
    result.plots.append(_time_plot(sizes, total, quiet))
    result.plots.append(
        Plot(
            "engine_us_per_finding",
            "time_vs_size",
            "Conflict evaluation: µs per finding beyond the per-drug work",
            (Series("(whole - no rule applies) / findings", sizes, per_finding),),
            x_label="medications on the list",
            y_label="µs per finding",
        )
    )
    result.notes.append(
        "times are the fastest of 5 rounds (wall; CPU time in the notes of each "
        "figure); 'no rule applies' lists are known drugs no rule pairs or flags (QUIET)."
    )
    return result


def _size_figures(result: SectionResult, r: SizeResult) -> None:
    target = Target(GOAL_MICROS, "lower", ISSUE) if r.size == GOAL_SIZE else None
    result.add(
        Figure(
            f"engine.evaluate_us.{r.size}",
            f"conflict evaluation, {r.size} medications",
            r.mixed.micros,
            "µs",
            target,
            note=f"{r.mixed.findings:.1f} findings per list; CPU {r.mixed.cpu_micros:.1f} µs",
        )
    )
    result.add(
        Figure(
            f"engine.no_rule_us.{r.size}",
            f"conflict evaluation, {r.size} no rule applies to",
            r.quiet.micros,
            "µs",
            relative_to=f"engine.evaluate_us.{r.size}",
            note=f"CPU {r.quiet.cpu_micros:.1f} µs",
        )
    )
    if r.per_finding is not None:
        result.add(
            Figure(
                f"engine.per_finding_us.{r.size}",
                f"µs per finding, {r.size} medications",
                r.per_finding,
                "µs",
                note="(whole evaluation - no rule applies) / findings",
            )
        )


def _time_plot(
    sizes: tuple[float, ...], total: tuple[float, ...], quiet: tuple[float, ...]
) -> Plot:
    linear = tuple(quiet[0] * x / sizes[0] for x in sizes)
    return Plot(
        "engine_time_vs_list_length",
        "time_vs_size",
        "Conflict evaluation time against medication-list length",
        (
            Series("whole evaluation (findings grow ~quadratically)", sizes, total),
            Series("no rule applies: per-drug work", sizes, quiet),
            Series(f"linear from {sizes[0]:g} (no rule applies)", sizes, linear),
        ),
        x_label="medications on the list",
        y_label="µs per evaluation",
    )


register(
    Section(
        "engine", "micro", 5, "conflict engine: µs per evaluation by list length", run, budget_s=9
    )
)
