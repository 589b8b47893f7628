"""care_team as real processes for the pipeline benchmark, in a namespace of their own.

A `Namespace` is one run's topic prefix, database schema and consumer group: fresh for
every run, so runs never see each other's events, and removed afterwards (the broker and
database may be shared). `fleet()` starts 1-3 `python -m services.care_team` processes in
that namespace (one consumer group: Kafka spreads the partitions over them) and stops
them on exit.

"Done" is measured, not assumed: the prescriptions consumer group has committed every
partition up to the end offsets the publisher was acknowledged, and the outbox is empty
(every conflict event and notification made is in Kafka). Offsets are committed only
after the transaction that applied the events, so this is "applied and published".
"""

import asyncio
import contextlib
import os
import shutil
import sys
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from bench.kafka_topics import PARTITIONS, run_tag
from devstack.paths import repo_root, run_dir
from devstack.services import SERVICES, Services, start_services
from shared.events.envelope import CONTENT_TYPE
from shared.events.registry import Topic
from shared.kafka import ensure_topics

POLL_S = 0.1
CARE_TEAM = next(s for s in SERVICES if s.name == "care_team")


@dataclass(frozen=True)
class Namespace:
    kafka: str
    database_url: str
    tag: str  # unique per run: bench.<tag>. prefixes its topics, bench_<tag> is its schema

    @classmethod
    def fresh(cls, kafka: str, database_url: str, label: str) -> "Namespace":
        return cls(kafka, database_url, f"{label}_{run_tag().replace('-', '_')}")

    @property
    def prefix(self) -> str:
        return f"bench.{self.tag}."

    @property
    def schema(self) -> str:
        return f"bench_{self.tag}"

    @property
    def group(self) -> str:
        return f"bench.{self.tag}"

    @property
    def prescriptions(self) -> str:
        return f"{self.prefix}{Topic.PRESCRIPTIONS}"

    @property
    def prescriptions_group(self) -> str:
        return f"{self.group}.prescriptions"  # ServiceRuntime.consumer_group("prescriptions")

    def environment(self) -> dict[str, str]:
        return {
            "CARE_TEAM_DB_SCHEMA": self.schema,
            "CARE_TEAM_KAFKA_TOPIC_PREFIX": self.prefix,
            "CARE_TEAM_KAFKA_CONSUMER_GROUP": self.group,
            "CARE_TEAM_KAFKA_TOPIC_PARTITIONS": str(PARTITIONS),
            "CARE_TEAM_LOG_LEVEL": "WARNING",
        }


@contextlib.asynccontextmanager
async def namespace(kafka: str, database_url: str, label: str) -> AsyncIterator[Namespace]:
    """A fresh namespace with its prescriptions topic made; its topics and schema dropped
    on exit."""
    ns = Namespace.fresh(kafka, database_url, label)
    await ensure_topics(kafka, [ns.prescriptions], partitions=PARTITIONS)
    try:
        yield ns
    finally:
        admin = AIOKafkaAdminClient(bootstrap_servers=kafka, client_id="bench-admin")
        await admin.start()
        try:  # a shared broker must not collect them
            ours = [t for t in await admin.list_topics() if t.startswith(ns.prefix)]
            if ours:
                await admin.delete_topics(ours)
            groups = [g[0] for g in await admin.list_consumer_groups() if g[0].startswith(ns.group)]
            if groups:
                with contextlib.suppress(Exception):  # best effort: an empty group expires anyway
                    await admin.delete_consumer_groups(groups)
        finally:
            await admin.close()
        conn = await asyncpg.connect(database_url)
        try:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{ns.schema}" CASCADE')
        finally:
            await conn.close()


async def publish(ns: Namespace, events: Sequence[tuple[bytes, bytes]]) -> dict[int, int]:
    """Publish as an EHR would (idempotent, acks=all); the end offset of every partition."""
    producer = AIOKafkaProducer(
        bootstrap_servers=ns.kafka, client_id="bench-ehr", enable_idempotence=True, acks="all"
    )
    await producer.start()
    try:
        headers = [("content-type", CONTENT_TYPE.encode())]
        deliveries = [
            await producer.send(ns.prescriptions, value, key=key, headers=headers)
            for key, value in events
        ]
        ends: dict[int, int] = {}
        for metadata in await asyncio.gather(*deliveries):
            ends[metadata.partition] = max(ends.get(metadata.partition, 0), metadata.offset + 1)
        return ends
    finally:
        await producer.stop()


@contextlib.asynccontextmanager
async def fleet(
    ns: Namespace, instances: int, extra_env: dict[str, str] | None = None
) -> AsyncIterator[list[Services]]:
    """`instances` care_team processes in the namespace, started together; each answers
    /ready before this yields."""
    started: list[Services] = []

    def start(index: int) -> Services:
        return start_services(
            ns.kafka,
            ns.database_url,
            instance=f"bench-{ns.tag}-{index}",
            specs=[CARE_TEAM],
            extra_env={**ns.environment(), **(extra_env or {})},
        )

    async def start_one(index: int) -> None:
        started.append(await asyncio.to_thread(start, index))

    try:
        # One at a time: the first applies the migrations, the others find them applied.
        for index in range(instances):
            await start_one(index)
        yield started
    finally:
        await asyncio.gather(*(asyncio.to_thread(s.stop) for s in started))
        for s in started:  # the logs of a finished run are not kept
            shutil.rmtree(run_dir(s.instance), ignore_errors=True)


@contextlib.asynccontextmanager
async def relay_process(
    ns: Namespace, extra_env: dict[str, str] | None = None
) -> AsyncIterator[int]:
    """care_team's outbox relay as a process of its own (`python -m services.care_team
    relay`), for instances started with OUTBOX_RELAY_IN_PROCESS=false; yields its pid."""
    env = {
        **os.environ, **ns.environment(), **(extra_env or {}),
        "KAFKA_BOOTSTRAP_SERVERS": ns.kafka, "DATABASE_URL": ns.database_url,
    }  # fmt: skip
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.care_team", "relay", env=env,
        cwd=str(repo_root()),
    )  # fmt: skip
    try:
        yield child.pid
    finally:
        child.terminate()
        await child.wait()


class Progress:
    """Reads how far the prescriptions group got and whether the outbox is empty."""

    def __init__(self, ns: Namespace) -> None:
        self._ns = ns
        self._admin = AIOKafkaAdminClient(bootstrap_servers=ns.kafka, client_id="bench-progress")
        self._conn: asyncpg.Connection | None = None

    async def __aenter__(self) -> "Progress":
        await self._admin.start()
        self._conn = await asyncpg.connect(self._ns.database_url)
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._admin.close()
        if self._conn is not None:
            await self._conn.close()

    async def committed(self) -> dict[int, int]:
        offsets = await self._admin.list_consumer_group_offsets(self._ns.prescriptions_group)
        return {
            tp.partition: meta.offset
            for tp, meta in offsets.items()
            if tp.topic == self._ns.prescriptions and meta.offset >= 0
        }

    async def outbox_rows(self) -> int:
        assert self._conn is not None
        exists = await self._conn.fetchval(
            "SELECT to_regclass($1) IS NOT NULL", f'"{self._ns.schema}".outbox'
        )
        if not exists:
            return -1  # no service has made the schema yet
        return int(await self._conn.fetchval(f'SELECT count(*) FROM "{self._ns.schema}".outbox'))

    async def until_done(self, ends: dict[int, int], limit_s: float) -> tuple[int, bool]:
        """Wait until every partition is committed to `ends` and the outbox is empty, or the
        time limit passes; (events committed, done)."""
        deadline = time.perf_counter() + limit_s
        while True:
            committed = await self.committed()
            applied = sum(min(committed.get(p, 0), end) for p, end in ends.items())
            if applied == sum(ends.values()) and await self.outbox_rows() == 0:
                return applied, True
            if time.perf_counter() > deadline:
                return applied, False
            await asyncio.sleep(POLL_S)

    async def published(self) -> int:
        """Records care_team has published so far: conflict events and notifications (the
        end offsets of its two topics)."""
        topics = [f"{self._ns.prefix}{t}" for t in (Topic.CARE_TEAM, Topic.NOTIFICATIONS)]
        partitions = [TopicPartition(t, p) for t in topics for p in range(PARTITIONS)]
        consumer = AIOKafkaConsumer(bootstrap_servers=self._ns.kafka, enable_auto_commit=False)
        await consumer.start()
        try:
            consumer.assign(partitions)
            return sum((await consumer.end_offsets(partitions)).values())
        finally:
            await consumer.stop()

    async def group_members(self) -> tuple[str, int]:
        """(state, members) of the prescriptions consumer group."""
        [response] = await self._admin.describe_consumer_groups([self._ns.prescriptions_group])
        _, _, state, _, _, members, *_ = response.groups[0]
        return str(state), len(members)

    async def sql(self, query: str) -> int:
        """A count over the namespace's schema (the query names tables unqualified)."""
        assert self._conn is not None
        async with self._conn.transaction():
            await self._conn.execute(f'SET LOCAL search_path = "{self._ns.schema}"')
            return int(await self._conn.fetchval(query))
