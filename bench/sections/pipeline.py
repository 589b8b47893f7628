"""Pipeline throughput (part 3) and scale-out (part 6): EHR prescription events through
care_team running as real processes, each run in a fresh namespace (bench/care_team_fleet.py).

Throughput: care_team running and its group joined (a warm-up of 300 events applied),
the clock starts, 100,000 events of 10,000 patients are published (bench/ehr_workload.py:
starts, changes, stops; minor to major conflicts) and the clock stops when the group has
committed every partition to its end and the outbox is empty: every event applied with
its conflicts evaluated, the conflict events and notifications committed and in Kafka.
The publisher runs on the same cores, as the EHR's share of the machine.

Backlog: 10,000 events published while no care_team runs; the clock starts when the
process is spawned (start-up, migrations and group join are part of draining).

Scale-out: 1, 2, 3 instances on a 3-partition topic, fewer events each run.
"""

import asyncio
import time
from dataclasses import dataclass

from bench.care_team_fleet import Namespace, Progress, fleet, namespace, publish
from bench.core.model import Figure, Plot, SectionResult, Series, Target
from bench.core.section import BenchContext, Section, register
from bench.core.stats import per_second
from bench.ehr_workload import ehr_events
from bench.process_cpu import machine_busy_seconds, usable_cores

EVENTS = 100_000
BACKLOG = 10_000
SCALE_OUT_EVENTS = 10_000  # per run: three runs and their start-ups stay near two minutes
WARM_UP = 300
RUN_LIMIT_S = 60.0  # a run stops here even if events remain (the figure says so)
JOIN_LIMIT_S = 60.0
RAW_PIPE = "kafka.pipe_msg_s"
THROUGHPUT_TARGET = Target(5_000, "higher", "performance issue: ≥ 5,000 events/s")
SHARE_TARGET = Target(25, "higher", "performance issue: ≥ 25 % of the raw aiokafka pipe")
CONSUMERS = 3  # CARE_TEAM_PRESCRIPTION_CONSUMERS: one per partition (settings.py says why)
BACKLOG_TARGET = Target(10, "lower", "perf-reliability.md §0: 10,000-event backlog ≤ 10 s")


async def _joined(ns: Namespace, progress: Progress, instances: int, consumers: int) -> None:
    """Warm-up events applied and every instance's consumers in the group: the clock may
    start."""
    ends = await publish(ns, ehr_events(f"{ns.tag}w", WARM_UP))
    _, done = await progress.until_done(ends, JOIN_LIMIT_S)
    deadline = time.perf_counter() + JOIN_LIMIT_S
    while (await progress.group_members()) != ("Stable", instances * consumers):
        if time.perf_counter() > deadline:
            raise RuntimeError(f"{instances} care_team instance(s) never formed a stable group")
        await asyncio.sleep(0.2)
    if not done:
        raise RuntimeError("care_team never applied the warm-up events")


async def _effects(progress: Progress) -> dict[str, int]:
    return {
        "changes": await progress.sql("SELECT count(*) FROM prescription_changes"),
        "conflicts": await progress.sql("SELECT count(*) FROM conflicts"),
        "notifications": await progress.sql("SELECT count(*) FROM notifications"),
    }


@dataclass(frozen=True)
class Run:
    rate: float  # events/s
    applied: int  # events applied within the limit
    effects: dict[str, int]  # rows counted afterwards
    busy_s: float | None  # the machine's busy CPU seconds meanwhile: every process, all cores
    published: int  # Kafka records care_team published meanwhile


async def throughput(
    ctx: BenchContext, label: str, events: int, instances: int, consumers: int = CONSUMERS
) -> Run:
    """One timed run; `consumers`: the prescriptions consumers in each instance."""
    work = ehr_events(label, events)
    env = {"CARE_TEAM_PRESCRIPTION_CONSUMERS": str(consumers)}
    async with (
        namespace(ctx.kafka_bootstrap_servers, ctx.database_url, label) as ns,
        fleet(ns, instances, env),
        Progress(ns) as progress,
    ):
        await _joined(ns, progress, instances, consumers)
        ctx.step(f"{label}: {events:,} events through {instances} care_team instance(s)")
        published_before = await progress.published()
        started, busy_before = time.perf_counter(), machine_busy_seconds()
        ends = await publish(ns, work)
        applied, _ = await progress.until_done(ends, RUN_LIMIT_S)
        seconds, busy_after = time.perf_counter() - started, machine_busy_seconds()
        busy = busy_after - busy_before if busy_before is not None and busy_after else None
        rate = per_second(applied - WARM_UP, seconds)
        published = await progress.published() - published_before
        return Run(rate, applied - WARM_UP, await _effects(progress), busy, published)


async def backlog(ctx: BenchContext, events: int) -> tuple[float, float, int]:
    """(seconds from spawn, seconds from ready, events applied)."""
    async with namespace(ctx.kafka_bootstrap_servers, ctx.database_url, "backlog") as ns:
        ends = await publish(ns, ehr_events("backlog", events))
        ctx.step(f"backlog: {events:,} events waiting; starting care_team")
        spawned = time.perf_counter()
        async with (
            fleet(ns, 1, {"CARE_TEAM_PRESCRIPTION_CONSUMERS": str(CONSUMERS)}),
            Progress(ns) as progress,
        ):
            ready = time.perf_counter()
            applied, _ = await progress.until_done(ends, RUN_LIMIT_S)
            done = time.perf_counter()
    return done - spawned, done - ready, applied


def _records_figures(
    result: SectionResult, ctx: BenchContext, rate: float, out_per_event: float
) -> None:
    """What an event costs Kafka: the raw pipe moves one record in and one out per message;
    an EHR event here is one record in and `out_per_event` out (conflict events and pushed
    notifications). So is the pipeline's record traffic a share of the raw pipe's."""
    result.add(
        Figure(
            "pipeline.records_out_per_event",
            "Kafka records published per EHR event (conflict events, notifications)",
            out_per_event,
            "records",
        )
    )
    if RAW_PIPE not in ctx.measured:
        return
    raw_records = 2 * ctx.measured[RAW_PIPE].value  # one consumed and one produced each
    result.add(
        Figure(
            "pipeline.record_share_of_raw_pipe",
            "pipeline's Kafka records in + out, as a share of the raw pipe's",
            100 * rate * (1 + out_per_event) / raw_records,
            "%",
        )
    )
    result.add(
        Figure(
            "pipeline.events_s_kafka_bound",
            "events/s the raw pipe's records would allow at that fan-out (no database)",
            raw_records / (1 + out_per_event),
            "events/s",
        )
    )


def _shortfall(label: str, applied: int, expected: int) -> list[str]:
    if applied >= expected:
        return []
    return [f"{label}: only {applied:,} of {expected:,} applied in {RUN_LIMIT_S:.0f} s"]


async def run_pipeline(ctx: BenchContext) -> SectionResult:
    result = SectionResult()
    count = ctx.scaled(EVENTS, minimum=2000)
    run = await throughput(ctx, "pipe", count, 1)
    rate, applied, effects, busy = run.rate, run.applied, run.effects, run.busy_s
    label = (
        f"care_team pipeline ({CONSUMERS} consumers), {count:,} EHR events, "
        f"{count // 10:,} patients"
    )
    result.add(
        Figure(
            "pipeline.events_s",
            label,
            rate,
            "events/s",
            THROUGHPUT_TARGET,
            relative_to=RAW_PIPE,
            note="committed offsets at the end and the outbox drained",
        )
    )
    if RAW_PIPE in ctx.measured:
        result.add(
            Figure(
                "pipeline.share_of_raw_pipe",
                "pipeline as a share of the raw aiokafka pipe",
                100 * rate / ctx.measured[RAW_PIPE].value,
                "%",
                SHARE_TARGET,
            )
        )
    if applied > 0:
        _records_figures(result, ctx, rate, run.published / applied)
    if busy is not None and applied > 0:
        cores = usable_cores()
        per_event = busy * 1e3 / applied
        result.add(
            Figure(
                "pipeline.machine_cpu_ms_per_event",
                f"machine CPU per event (all processes, {cores} cores; publisher included)",
                per_event,
                "ms",
            )
        )
        result.add(
            Figure(
                "pipeline.cores_limit",
                f"events/s {cores} fully busy cores would give at that cost",
                cores * 1e3 / per_event,
                "events/s",
            )
        )
    result.notes += _shortfall("throughput", applied, count)
    result.notes.append(
        "throughput run made {changes:,} change records, {conflicts:,} conflicts, "
        "{notifications:,} notifications (warm-up included)".format(**effects)
    )
    backlog_events = ctx.scaled(BACKLOG, minimum=1000)
    from_spawn, from_ready, drained = await backlog(ctx, backlog_events)
    result.add(
        Figure(
            "pipeline.backlog_drain_s",
            f"{backlog_events:,}-event backlog drained, from process start",
            from_spawn,
            "s",
            BACKLOG_TARGET,
            note="start-up, migrations and group join included",
        )
    )
    result.add(
        Figure(
            "pipeline.backlog_drain_s.from_ready",
            f"{backlog_events:,}-event backlog drained, from /ready",
            from_ready,
            "s",
        )
    )
    result.notes += _shortfall("backlog", drained, backlog_events)
    return result


async def run_scale_out(ctx: BenchContext) -> SectionResult:
    result = SectionResult()
    count = ctx.scaled(SCALE_OUT_EVENTS, minimum=1000)
    rates: list[float] = []
    for instances in (1, 2, 3):
        # One consumer each: the figure is what adding processes gives.
        run = await throughput(ctx, f"scale{instances}", count, instances, consumers=1)
        rate = run.rate
        rates.append(rate)
        result.add(
            Figure(
                f"scale_out.events_s.{instances}",
                f"pipeline, {instances} care_team instance(s), 1 consumer each, {count:,} events",
                rate,
                "events/s",
                relative_to="scale_out.events_s.1" if instances > 1 else None,
            )
        )
        result.notes += _shortfall(f"{instances} instance(s)", run.applied, count)
    result.plots.append(
        Plot(
            "pipeline_scale_out",
            "time_vs_size",
            f"care_team pipeline throughput vs instances ({count:,} events, 3 partitions)",
            (Series("events/s", x=(1.0, 2.0, 3.0), y=tuple(rates)),),
            x_label="care_team instances (one consumer group)",
            y_label="events/s",
            linear_reference=True,
        )
    )
    return result


register(
    Section(
        "pipeline",
        "pipeline",
        3,
        "EHR prescription events through care_team: throughput, backlog drain",
        run_pipeline,
        needs=frozenset({"kafka", "postgres"}),
        after=("kafka-limit",),
        budget_s=120,
    )
)
register(
    Section(
        "scale-out",
        "pipeline",
        6,
        "pipeline throughput with 1, 2, 3 care_team instances",
        run_scale_out,
        needs=frozenset({"kafka", "postgres"}),
        budget_s=120,
    )
)
