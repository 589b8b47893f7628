"""Fresh topics for one benchmark run, deleted afterwards (the broker may be shared)."""

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator

from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.kafka import ensure_topics

PARTITIONS = 3
LEADER_WAIT_S = 15.0


def run_tag() -> str:
    """Unique per run and process, so concurrent runs on one broker do not collide."""
    return f"{int(time.time())}-{os.getpid()}"


@contextlib.asynccontextmanager
async def fresh_topics(
    bootstrap_servers: str, prefix: str, *suffixes: str, partitions: int = PARTITIONS
) -> AsyncIterator[list[str]]:
    tag = run_tag()
    names = [f"bench.{prefix}.{tag}.{suffix}" for suffix in suffixes]
    await ensure_topics(bootstrap_servers, names, partitions=partitions)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="bench-admin")
    await admin.start()
    try:
        await _until_led(admin, names, partitions)
        yield names
    finally:
        try:
            await admin.delete_topics(names)
        finally:
            await admin.close()


async def _until_led(admin: AIOKafkaAdminClient, names: list[str], partitions: int) -> None:
    """Wait until every partition has a leader: producing earlier only logs retries."""
    deadline = time.monotonic() + LEADER_WAIT_S
    while time.monotonic() < deadline:
        topics = await admin.describe_topics(names)
        led = [
            p for t in topics if t["error_code"] == 0 for p in t["partitions"] if p["leader"] >= 0
        ]
        if len(led) == partitions * len(names):
            # Metadata names the leaders a moment before they accept writes; without this
            # pause the first sends are refused (NotLeaderForPartition) and retried.
            await asyncio.sleep(1.0)
            return
        await asyncio.sleep(0.2)


async def partitions_of(bootstrap_servers: str, topic: str) -> list[TopicPartition]:
    """The topic's partitions, from the admin API (a plain consumer's metadata only covers
    topics it subscribed to, so it may not know them yet)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="bench-admin")
    await admin.start()
    try:
        (described,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    if described["error_code"] != 0 or not described["partitions"]:
        raise RuntimeError(f"topic {topic} is unknown (error code {described['error_code']})")
    return [TopicPartition(topic, p["partition"]) for p in described["partitions"]]
