"""Notification latency under load: a headache specialist starts amitriptyline 75 mg for a
patient whose psychiatrist has them on fluoxetine (PK-34, a major conflict: a high-priority
notification pushed to the psychiatrist), through care_team's HTTP API, at 100, 500 and
2,000 changes/s offered open-loop. Per change: the HTTP 2xx → that patient's PK-34
notification read from the psychiatrist's live stream (SSE).

care_team runs as processes of its own (devstack), on a fresh schema and topics, deployed
as a hospital would run it behind a load balancer: WRITE_INSTANCES instances take the
prescription changes (the load generator spreads the patients over them), one more serves
the live streams, and the outbox relay runs apart. The load generator and the stream
readers run here. A few psychiatrists each follow many patients.
Figures per rate: achieved rate, 2xx → SSE p50/p95/p99/max (below zero when the stream
instance pushed the notification before the 2xx reached the client: it is committed before
the answer is sent), due → SSE p99 (also the wait
for the HTTP answer, counted from when the request was due), notifications lost (none
within the deadline), and the outbox relay lag (bench/relay_lag.py says how it is read).
"""

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

from bench.care_team_process import care_team_process
from bench.core.model import Figure, Plot, SectionResult, Series, Target
from bench.core.section import BenchContext, Section, register
from bench.core.stats import Distribution
from bench.kafka_topics import run_tag
from bench.latency_population import Population, bearer, set_up
from bench.open_loop import Sent, achieved_rate, offer
from bench.process_cpu import cpu_seconds, machine_busy_seconds, usable_cores
from bench.raw_http import RawHttpClient
from bench.relay_lag import RelayLags, relay_lags
from bench.sse_arrivals import Arrivals, streams
from shared.auth import PrincipalKind
from shared.events.registry import Topic

RULE = "PK-34"
# (offered changes/s, seconds offered); the short warm-up first is not reported.
WARM_UP = (50, 1.0)
# Long enough at 500/s for a steady state (care_team answers ~450/s here, so the HTTP queue
# grows meanwhile); the 2,000/s burst is drained at that pace too. About 45 s in all.
RATES = ((100, 3.0), (500, 6.0), (2000, 2.0))
ARRIVAL_DEADLINE_S = 10.0  # after the last answer: a notification later than this is lost
NOTIFICATION_P99_MS = {500: 250.0, 2000: 1000.0}
RELAY_LAG_P99_MS = 50.0
# The outbox relayed by a process of its own (python -m services.care_team relay), not on the
# service's loop behind the HTTP backlog.
RELAY_APART = True
# Instances taking the changes: one process's event loop saturates a core at ~365 changes/s,
# a second uses the other core. Their notifications reach the stream instance through
# PostgreSQL's NOTIFY.
WRITE_INSTANCES = 2
# The streams on an instance of their own: a stream's wake-up then never waits behind a
# group commit on the same event loop. Served by a write instance, the 2xx → SSE p99 at
# 500/s sustained was 337 ms; apart, 61-73 ms (same hour, same cores).
INSTANCES = WRITE_INSTANCES + 1
ISSUE = "performance issue, item 4"
BODY = {"medication": {"name": "amitriptyline"}, "dose": "75 mg", "frequency": "once daily"}


async def _until_arrived(arrivals: Arrivals, keys: Sequence[str], limit_s: float) -> None:
    deadline = time.monotonic() + limit_s
    while any(k not in arrivals.at for k in keys):
        arrivals.changed.clear()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        try:
            async with asyncio.timeout(remaining):
                await arrivals.changed.wait()
        except TimeoutError:
            return


@dataclass
class Measured:
    outcomes: list[tuple[int, list[Sent]]]  # per offered rate, warm-up left out
    arrivals: Arrivals
    relay_lags: RelayLags
    cpu_ms_per_change: dict[int, float]  # care_team's CPU, per offered rate
    machine_ms_per_change: dict[int, float]  # every process's, all cores
    setup_s: float


async def _measure(ctx: BenchContext, phases: list[tuple[int, int]]) -> Measured:
    tag = run_tag().replace("-", "")
    total = sum(count for _, count in phases)
    population = Population([f"lat-{tag}-{i:05d}" for i in range(total)], tag)
    index_of = {p: i for i, p in enumerate(population.patients)}
    arrivals = Arrivals(RULE)
    outcomes: list[tuple[int, list[Sent]]] = []
    cpu_ms: dict[int, float] = {}
    machine_ms: dict[int, float] = {}
    bootstrap = ctx.kafka_bootstrap_servers
    ctx.step(f"starting care_team ({INSTANCES} instances and the relay, processes of their own)")
    async with care_team_process(
        bootstrap, ctx.database_url, relay_apart=RELAY_APART, instances=INSTANCES
    ) as service:
        # The first instance serves set-up and the streams; one client per write instance,
        # as a load balancer would spread the changes (by patient).
        http = RawHttpClient(*service.host_port, max_connections=64)
        clients = [
            RawHttpClient(host, port, max_connections=512 // WRITE_INSTANCES)
            for host, port in service.host_ports[1:]
        ]
        ctx.step(f"setting up {total:,} patients (EHR events on Kafka + team API)")
        started = time.perf_counter()
        await set_up(service, bootstrap, population, http)
        setup_s = time.perf_counter() - started
        headers = {
            c: bearer(service.jwt_secret, c, PrincipalKind.CLINICIAN, "headache_specialist")
            for c in {population.headache_specialist(i) for i in range(total)}
        }

        async def start_amitriptyline(patient: str) -> int:
            clinician = population.headache_specialist(index_of[patient])
            path = f"/patients/{patient}/prescriptions"
            client = clients[index_of[patient] % WRITE_INSTANCES]
            status, _ = await client.request("POST", path, headers[clinician], BODY)
            return status

        ctx.step(f"opening {len(population.psychiatrists)} psychiatrists' streams")
        async with streams(service.url, service.jwt_secret, population.psychiatrists, arrivals):
            offset = 0
            for rate, count in phases:
                keys = population.patients[offset : offset + count]
                offset += count
                ctx.step(f"{count:,} changes offered at {rate:,}/s")
                cpu_before, busy_before = _cpu(service.pids), machine_busy_seconds()
                sent = await offer(keys, rate, start_amitriptyline)
                await _until_arrived(arrivals, [s.key for s in sent if s.ok], ARRIVAL_DEADLINE_S)
                cpu_after, busy_after = _cpu(service.pids), machine_busy_seconds()
                if cpu_before is not None and cpu_after is not None:
                    cpu_ms[rate] = (cpu_after - cpu_before) * 1e3 / count
                if busy_before is not None and busy_after is not None:
                    machine_ms[rate] = (busy_after - busy_before) * 1e3 / count
                outcomes.append((rate, sent))
        for client in [http, *clients]:
            await client.close()
        ctx.step("reading the relay lag from the notifications topic")
        lags = await relay_lags(
            bootstrap,
            service.topic(Topic.NOTIFICATIONS),
            RULE,
            ctx.database_url,
            service.schema,
        )
    return Measured(outcomes[1:], arrivals, lags, cpu_ms, machine_ms, setup_s)


def _figures(
    result: SectionResult, rate: int, sent: list[Sent], arrivals: Arrivals, lags: RelayLags
) -> list[float]:
    ok = [s for s in sent if s.ok]
    arrived = [s for s in ok if s.key in arrivals.at]
    after_answer = [(arrivals.at[s.key] - s.answered) * 1e3 for s in arrived]
    after_due = [(arrivals.at[s.key] - s.due) * 1e3 for s in arrived]
    key, at = f"notification_latency.{{}}.{rate}", f"@ {rate:,}/s"
    result.add(
        Figure(key.format("achieved"), f"changes answered {at}", achieved_rate(sent), "changes/s")
    )
    if after_answer:
        d = Distribution.of(after_answer)
        bound = NOTIFICATION_P99_MS.get(rate)
        target = Target(bound, "lower", ISSUE) if bound else None
        for name, value, goal in (
            ("p50", d.p50, None),
            ("p95", d.p95, None),
            ("p99", d.p99, target),
            ("max", d.max, None),
        ):
            label = f"HTTP 2xx → SSE conflict notification {at}, {name}"
            result.add(Figure(key.format(f"2xx_to_sse_{name}"), label, value, "ms", goal))
        due = Distribution.of(after_due)
        result.add(
            Figure(
                key.format("due_to_sse_p99"),
                f"request due → SSE notification {at}, p99",
                due.p99,
                "ms",
            )
        )
    lost = len(ok) - len(arrived)
    result.add(
        Figure(
            key.format("lost"),
            f"notifications lost {at} (none in {ARRIVAL_DEADLINE_S:.0f} s)",
            lost,
            "",
            Target(0, "lower", ISSUE),
        )
    )
    relay = [lags.by_patient[s.key] for s in ok if s.key in lags.by_patient]
    if relay:
        r = Distribution.of(relay)
        what = "commit → broker ack" if lags.from_commit else "created_at → broker ack, upper bound"
        label = f"outbox relay lag ({what}) {at}"
        result.add(Figure(key.format("relay_lag_p50"), f"{label}, p50", r.p50, "ms"))
        result.add(
            Figure(
                key.format("relay_lag_p99"),
                f"{label}, p99",
                r.p99,
                "ms",
                Target(RELAY_LAG_P99_MS, "lower", ISSUE),
            )
        )
    failed = len(sent) - len(ok)
    if failed:
        errors = {s.error or f"HTTP {s.status}" for s in sent if not s.ok}
        result.notes.append(
            f"{failed} of {len(sent)} changes failed @ {rate}/s: {sorted(errors)[:3]}"
        )
    return after_answer


def _cpu(pids: Sequence[int]) -> float | None:
    """care_team's CPU seconds: the service's, and its relay's when that runs apart."""
    seconds = [cpu_seconds(pid) for pid in pids]
    return None if None in seconds else sum(s for s in seconds if s is not None)


def _machine_figures(result: SectionResult, rate: int, machine_ms: float) -> None:
    """What a change costs the whole machine, and the rate its cores could give at that cost:
    the physical limit the offered rates are measured against."""
    cores = usable_cores()
    label = f"machine CPU per change @ {rate:,}/s (all processes, {cores} cores)"
    result.add(Figure(f"notification_latency.machine_cpu_ms.{rate}", label, machine_ms, "ms"))
    result.add(
        Figure(
            f"notification_latency.cores_limit.{rate}",
            f"changes/s {cores} fully busy cores would give at that cost",
            cores * 1e3 / machine_ms,
            "changes/s",
        )
    )


async def run(ctx: BenchContext) -> SectionResult:
    result = SectionResult()
    phases = [(WARM_UP[0], ctx.scaled(round(WARM_UP[0] * WARM_UP[1]), minimum=10))]
    phases += [(rate, ctx.scaled(round(rate * seconds), minimum=20)) for rate, seconds in RATES]
    measured = await _measure(ctx, phases)
    outcomes, arrivals = measured.outcomes, measured.arrivals
    histogram, achieved = [], []
    for rate, sent in outcomes:
        samples = _figures(result, rate, sent, arrivals, measured.relay_lags)
        if rate in measured.cpu_ms_per_change:
            label = (
                f"care_team CPU per change @ {rate:,}/s ({WRITE_INSTANCES} write + 1 stream "
                "instances, relay)"
            )
            cpu = measured.cpu_ms_per_change[rate]
            result.add(Figure(f"notification_latency.cpu_ms.{rate}", label, cpu, "ms"))
        if rate in measured.machine_ms_per_change:
            _machine_figures(result, rate, measured.machine_ms_per_change[rate])
        if samples:
            histogram.append(Series(f"{rate:,}/s offered", y=tuple(samples)))
        achieved.append((float(rate), achieved_rate(sent)))
    result.notes.append(
        f"{sum(len(s) for _, s in outcomes):,} changes; setup of {sum(c for _, c in phases):,} "
        f"patients took {measured.setup_s:.1f} s; duplicate notifications on the streams: "
        f"{arrivals.duplicates}"
    )
    if histogram:
        result.plots.append(
            Plot(
                "notification_latency",
                "latency_histogram",
                "HTTP 2xx → conflict notification on the SSE stream",
                tuple(histogram),
                x_label="ms",
            )
        )
    result.plots.append(
        Plot(
            "notification_throughput",
            "throughput_vs_offered",
            "Prescription changes through care_team's HTTP API",
            (Series("answered 2xx", tuple(x for x, _ in achieved), tuple(y for _, y in achieved)),),
            x_label="offered changes/s",
            y_label="achieved changes/s",
        )
    )
    return result


register(
    Section(
        "notification-latency",
        "latency",
        4,
        "prescription change over HTTP → conflict notification on the other clinician's SSE",
        run,
        needs=frozenset({"kafka", "postgres"}),
        budget_s=180,
    )
)
