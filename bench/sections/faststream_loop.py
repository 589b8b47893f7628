"""FastStream's overhead: the raw pipe's consume→produce loop through a FastStream
subscriber and publisher, with pydantic validation of the CloudEvent (the services'
`PrescriptionStarted` model), as a ratio to the raw aiokafka pipe of the same run.

Variants: one message per handler call with AckPolicy.ACK_FIRST (offsets auto-committed
in the background: the framework alone), with AckPolicy.ACK (a commit after every
message, as the services run), and a batch subscriber (ACK per batch; the batch's
publishes awaited together).
"""

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field

from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage

from bench.core.model import Figure, Plot, SectionResult, Series
from bench.core.section import BenchContext, Section, register
from bench.core.stats import per_second
from bench.kafka_topics import fresh_topics, run_tag
from bench.payload import prescription_events
from bench.sections.kafka_limit import produce
from shared.events.envelope import encode_event
from shared.events.prescriptions import PrescriptionStarted

MESSAGES = 30_000
VARIANT_LIMIT_S = 10.0  # from the first message handled
JOIN_LIMIT_S = 20.0  # for the group join before the first message
BATCH = 500
RAW_PIPE = "kafka.pipe_msg_s"
# The per-message handler awaits each publish: its like is the raw pipe one record at a time.
RAW_ONE_BY_ONE = "kafka.pipe_msg_s.one_by_one"


@dataclass
class Meter:
    """Counts what the handler forwarded; the clock starts at the first message."""

    expected: int
    count: int = 0
    first: float = 0.0
    started: asyncio.Event = field(default_factory=asyncio.Event)
    reached: asyncio.Event = field(default_factory=asyncio.Event)

    def tick(self, n: int = 1) -> None:
        if not self.first:
            self.first = time.perf_counter()
            self.started.set()
        self.count += n
        if self.count >= self.expected:
            self.reached.set()


# FastStream warns at every start that auto-creation is off (we create the topics).
logging.getLogger("bench.faststream").setLevel(logging.ERROR)


def broker_for(bootstrap_servers: str, ack_policy: AckPolicy) -> KafkaBroker:
    # As shared.kafka.create_broker, less the dead-letter middleware: per-message logs at
    # DEBUG (not emitted), idempotent producer, topics made by us.
    return KafkaBroker(
        bootstrap_servers,
        client_id="bench-faststream",
        enable_idempotence=True,
        ack_policy=ack_policy,
        allow_auto_create_topics=False,
        logger=logging.getLogger("bench.faststream"),
        log_level=logging.DEBUG,
    )


def one_by_one(
    broker: KafkaBroker, source: str, sink: str, meter: Meter, policy: AckPolicy
) -> None:
    publisher = broker.publisher(sink)

    @broker.subscriber(
        source, group_id=f"bench-fs-{run_tag()}-{policy.name}", auto_offset_reset="earliest"
    )
    async def forward(event: PrescriptionStarted, message: KafkaMessage) -> None:
        record = message.raw_message
        assert not isinstance(record, tuple)
        await publisher.publish(encode_event(event), key=record.key)
        meter.tick()


def in_batches(broker: KafkaBroker, source: str, sink: str, meter: Meter) -> None:
    publisher = broker.publisher(sink)

    @broker.subscriber(
        source,
        group_id=f"bench-fs-{run_tag()}-batch",
        auto_offset_reset="earliest",
        batch=True,
        max_records=BATCH,
        batch_timeout_ms=100,
    )
    async def forward(events: list[PrescriptionStarted], message: KafkaMessage) -> None:
        records = message.raw_message
        assert isinstance(records, tuple)
        deliveries: list[Awaitable[object]] = [
            await publisher.publish(encode_event(e), key=r.key, no_confirm=True)
            for e, r in zip(events, records, strict=True)
        ]
        await asyncio.gather(*deliveries)
        meter.tick(len(events))


async def loop(
    bootstrap: str, source: str, sink: str, expected: int, variant: str
) -> tuple[int, float]:
    """(messages, seconds from the first one handled) for one variant."""
    meter = Meter(expected)
    policy = AckPolicy.ACK if variant == "batch" else AckPolicy[variant.upper()]
    broker = broker_for(bootstrap, policy)
    if variant == "batch":
        in_batches(broker, source, sink, meter)
    else:
        one_by_one(broker, source, sink, meter, policy)
    await broker.start()
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(meter.started.wait(), timeout=JOIN_LIMIT_S)
            remaining = VARIANT_LIMIT_S - (time.perf_counter() - meter.first)
            await asyncio.wait_for(meter.reached.wait(), timeout=max(0.0, remaining))
        count, ended = meter.count, time.perf_counter()
    finally:
        await broker.stop()
    return count, (ended - meter.first) if meter.first else 0.0


def pydantic_micros(values: list[bytes]) -> float:
    """µs per event for what the FastStream handler adds to the raw pipe's work:
    JSON decode, pydantic validation, and encoding the event again."""
    for value in values[:100]:  # warm-up: pydantic's first calls build its validators
        encode_event(PrescriptionStarted.model_validate(json.loads(value)))
    started = time.perf_counter()
    for value in values:
        encode_event(PrescriptionStarted.model_validate(json.loads(value)))
    return (time.perf_counter() - started) / len(values) * 1e6


VARIANTS = {
    "ack_first": "FastStream loop, per message, ACK_FIRST",
    "ack": "FastStream loop, per message, ACK (services)",
    "batch": f"FastStream loop, batch subscriber ≤ {BATCH}",
}


async def run(ctx: BenchContext) -> SectionResult:
    result = SectionResult()
    bootstrap = ctx.kafka_bootstrap_servers
    count = ctx.scaled(MESSAGES, minimum=1000)
    events = prescription_events(count)
    ctx.step("pydantic validate + encode, in memory")
    micros = pydantic_micros([v for _, v in events[:5000]])
    result.add(
        Figure(
            "faststream.pydantic_us", "json + pydantic validate + encode, per event", micros, "µs"
        )
    )
    async with fresh_topics(bootstrap, "faststream", "in", "out") as (source, sink):
        ctx.step(f"producing {count:,} input events")
        await produce(bootstrap, source, events)
        for variant, label in VARIANTS.items():
            ctx.step(label)
            moved, seconds = await loop(bootstrap, source, sink, count, variant)
            result.add(
                Figure(
                    f"faststream.loop_msg_s.{variant}",
                    label,
                    per_second(moved, seconds),
                    "msg/s",
                    relative_to=RAW_PIPE if variant == "batch" else RAW_ONE_BY_ONE,
                )
            )
    raw = {RAW_PIPE: "raw aiokafka pipe", RAW_ONE_BY_ONE: "raw aiokafka, one in flight"}
    bars = [(label, ctx.measured[key].value) for key, label in raw.items() if key in ctx.measured]
    bars += [(VARIANTS[f.key.rsplit(".", 1)[1]], f.value) for f in result.figures[1:]]
    result.plots.append(
        Plot(
            "consume_produce_loop",
            "bars",
            "Consume→produce loop, 500-byte CloudEvents",
            tuple(Series(label, y=(value,)) for label, value in bars),
            x_label="messages/s",
        )
    )
    return result


register(
    Section(
        "faststream",
        "faststream",
        2,
        "FastStream subscriber+publisher loop against the raw aiokafka pipe",
        run,
        needs=frozenset({"kafka"}),
        after=("kafka-limit",),
        budget_s=50,
    )
)
