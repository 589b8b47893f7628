"""The limit, Kafka: raw aiokafka produce, consume and a consume→produce pipe of the same
500-byte CloudEvents through the same broker, on fresh 3-partition topics.

The producer is configured as the outbox relay's (idempotent, acks=all, aiokafka's
defaults otherwise); the pipe works like a service without a database: fetch a batch,
produce each record to a second topic, wait for the acks, commit the offsets. Its
one-by-one variant waits for each record's ack before sending the next, as a handler
that awaits its publish does (the shape of FastStream's per-message loop).
"""

import asyncio
import time

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from bench.core.model import Figure, SectionResult, Target
from bench.core.section import BenchContext, Section, register
from bench.core.stats import per_second
from bench.kafka_topics import PARTITIONS, fresh_topics, run_tag
from bench.payload import EVENT_BYTES, prescription_events

MESSAGES = 100_000
STAGE_LIMIT_S = 40.0  # per stage, so a slow machine still finishes in bounded time
ONE_BY_ONE_LIMIT_S = 10.0  # a round trip per record: never near the end of the topic
PIPE_BATCH = 500
RAW_TARGET = Target(30_000, "higher", "perf-reliability.md §0: raw Kafka pipe ≥ 30k msg/s")


def producer(bootstrap_servers: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id="bench-raw",
        enable_idempotence=True,  # as the outbox relay: implies acks=all
        acks="all",
    )


async def produce(bootstrap_servers: str, topic: str, events: list[tuple[bytes, bytes]]) -> float:
    """Seconds to produce every event and have every ack back."""
    p = producer(bootstrap_servers)
    await p.start()
    try:
        started = time.perf_counter()
        deliveries = [await p.send(topic, value, key=key) for key, value in events]
        await asyncio.gather(*deliveries)
        return time.perf_counter() - started
    finally:
        await p.stop()


async def consume(bootstrap_servers: str, topic: str, expected: int) -> tuple[int, float]:
    """(records, seconds) reading the topic from the beginning, partitions assigned
    directly (no group join in the figure)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers, enable_auto_commit=False, client_id="bench-raw"
    )
    await consumer.start()
    try:
        consumer.assign([TopicPartition(topic, p) for p in range(PARTITIONS)])
        await consumer.seek_to_beginning()
        seen = 0
        started = time.perf_counter()
        while seen < expected and time.perf_counter() - started < STAGE_LIMIT_S:
            batches = await consumer.getmany(timeout_ms=1000, max_records=10_000)
            seen += sum(len(records) for records in batches.values())
        return seen, time.perf_counter() - started
    finally:
        await consumer.stop()


async def pipe(
    bootstrap_servers: str, source: str, sink: str, expected: int, *, one_by_one: bool = False
) -> tuple[int, float]:
    """(records, seconds) forwarding `source` to `sink` in a consumer group, timed from
    the first record fetched (the group join is not in the figure)."""
    consumer = AIOKafkaConsumer(
        source,
        bootstrap_servers=bootstrap_servers,
        group_id=f"bench-raw-pipe-{run_tag()}-{one_by_one}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        client_id="bench-raw-pipe",
    )
    p = producer(bootstrap_servers)
    await asyncio.gather(consumer.start(), p.start())
    try:
        moved, started = 0, 0.0
        limit = ONE_BY_ONE_LIMIT_S if one_by_one else STAGE_LIMIT_S
        deadline = time.perf_counter() + limit + 15  # + the group join
        while moved < expected and time.perf_counter() < deadline:
            batches = await consumer.getmany(timeout_ms=500, max_records=PIPE_BATCH)
            records = [r for rs in batches.values() for r in rs]
            if not records:
                continue
            if not started:
                started = time.perf_counter()
                deadline = started + limit
            if one_by_one:
                for r in records:
                    await p.send_and_wait(sink, r.value, key=r.key)
            else:
                deliveries = [await p.send(sink, r.value, key=r.key) for r in records]
                await asyncio.gather(*deliveries)
            await consumer.commit()
            moved += len(records)
        return moved, time.perf_counter() - started if started else 0.0
    finally:
        await asyncio.gather(consumer.stop(), p.stop())


async def run(ctx: BenchContext) -> SectionResult:
    result = SectionResult()
    bootstrap = ctx.kafka_bootstrap_servers
    count = ctx.scaled(MESSAGES, minimum=1000)
    ctx.step(f"encoding {count:,} events")
    events = prescription_events(count)
    async with fresh_topics(bootstrap, "limit", "in", "out") as (source, sink):
        ctx.step(f"producing {count:,} events of {EVENT_BYTES} B")
        seconds = await produce(bootstrap, source, events)
        result.add(
            Figure(
                "kafka.produce_msg_s",
                f"aiokafka produce, {EVENT_BYTES} B CloudEvents",
                per_second(count, seconds),
                "msg/s",
            )
        )
        result.add(
            Figure(
                "kafka.produce_mb_s",
                "aiokafka produce, payload bytes",
                per_second(count * EVENT_BYTES, seconds) / 1e6,
                "MB/s",
            )
        )
        ctx.step(f"consuming {count:,}")
        seen, seconds = await consume(bootstrap, source, count)
        result.add(
            Figure(
                "kafka.consume_msg_s",
                f"aiokafka consume, {EVENT_BYTES} B CloudEvents",
                per_second(seen, seconds),
                "msg/s",
            )
        )
        ctx.step(f"piping {count:,}: consume, produce to a second topic, commit")
        moved, seconds = await pipe(bootstrap, source, sink, count)
        result.add(
            Figure(
                "kafka.pipe_msg_s",
                "aiokafka consume→produce pipe",
                per_second(moved, seconds),
                "msg/s",
                RAW_TARGET,
                note=f"batches of ≤ {PIPE_BATCH}, commit per batch",
            )
        )
        ctx.step("piping one by one: each record's ack awaited before the next")
        single, seconds = await pipe(bootstrap, source, sink, count, one_by_one=True)
        result.add(
            Figure(
                "kafka.pipe_msg_s.one_by_one",
                "aiokafka pipe, one record in flight",
                per_second(single, seconds),
                "msg/s",
                relative_to="kafka.pipe_msg_s",
                note="send_and_wait per record: a round trip each",
            )
        )
        for name, done in (("consume", seen), ("pipe", moved)):
            if done < count:
                result.notes.append(f"{name} stopped at {done:,} of {count:,} (time limit)")
    return result


register(
    Section(
        "kafka-limit",
        "limits",
        1,
        "the limit: raw aiokafka produce, consume, pipe",
        run,
        needs=frozenset({"kafka"}),
        budget_s=45,
    )
)
