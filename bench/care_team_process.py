"""care_team as a real process for a benchmark: its own schema, topic prefix and consumer
groups (the broker and database may be shared), all removed afterwards.

The notifications topic is created before the service starts, with
`message.timestamp.type=LogAppendTime`: the broker stamps each record when it appends it,
which (one broker, acks=all) is when the relay's send is acknowledged. That is how the
section measures the outbox relay lag from outside the process.
"""

import asyncio
import contextlib
import dataclasses
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from bench.kafka_topics import run_tag
from devstack.services import SERVICES, start_services
from shared.events.registry import Topic
from shared.settings import DEV_JWT_SECRET

CARE_TEAM = next(s for s in SERVICES if s.name == "care_team")
LOG_APPEND_TIME = {"message.timestamp.type": "LogAppendTime"}


@dataclass(frozen=True)
class CareTeamUnderTest:
    url: str
    topic_prefix: str
    consumer_group: str  # the prefix of its groups: "<this>.prescriptions", ...
    schema: str
    jwt_secret: str
    pid: int

    @property
    def host_port(self) -> tuple[str, int]:
        parts = urlsplit(self.url)
        assert parts.hostname is not None and parts.port is not None
        return parts.hostname, parts.port

    def topic(self, name: Topic) -> str:
        return f"{self.topic_prefix}{name}"


@contextlib.asynccontextmanager
async def care_team_process(
    bootstrap: str, database_url: str, *, extra_env: dict[str, str] | None = None
) -> AsyncIterator[CareTeamUnderTest]:
    tag = run_tag().replace("-", "_")
    under_test = CareTeamUnderTest(
        url="",
        topic_prefix=f"bench.latency.{tag}.",
        consumer_group=f"bench.latency.{tag}",
        schema=f"bench_latency_{tag}",
        jwt_secret=DEV_JWT_SECRET,
        pid=0,
    )
    env = {
        "CARE_TEAM_DB_SCHEMA": under_test.schema,
        "CARE_TEAM_KAFKA_TOPIC_PREFIX": under_test.topic_prefix,
        "CARE_TEAM_KAFKA_CONSUMER_GROUP": under_test.consumer_group,
        "CARE_TEAM_JWT_SECRET": under_test.jwt_secret,
        "CARE_TEAM_ENVIRONMENT": "development",
        **(extra_env or {}),
    }
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="bench-latency-admin")
    await admin.start()
    try:
        await admin.create_topics(
            [NewTopic(under_test.topic(Topic.NOTIFICATIONS), 3, 1, topic_configs=LOG_APPEND_TIME)]
        )
        services = await asyncio.to_thread(
            start_services,
            bootstrap,
            database_url,
            instance=f"bench-latency-{os.getpid()}",
            specs=[CARE_TEAM],
            extra_env=env,
        )
        try:
            url, pid = services.urls[CARE_TEAM.name], services.children[0].popen.pid
            yield dataclasses.replace(under_test, url=url, pid=pid)
        finally:
            await asyncio.to_thread(services.stop)
    finally:
        try:
            await _remove(admin, under_test)
        finally:
            await admin.close()
        await _drop_schema(database_url, under_test.schema)


async def _remove(admin: AIOKafkaAdminClient, under_test: CareTeamUnderTest) -> None:
    """Its topics and consumer groups: a shared broker must not collect them."""
    topics = [t for t in await admin.list_topics() if t.startswith(under_test.topic_prefix)]
    if topics:
        await admin.delete_topics(topics)
    groups = [
        g[0]
        for g in await admin.list_consumer_groups()
        if g[0].startswith(under_test.consumer_group)
    ]
    if groups:
        with contextlib.suppress(Exception):  # best effort: an empty group expires anyway
            await admin.delete_consumer_groups(groups)


async def _drop_schema(database_url: str, schema: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()
