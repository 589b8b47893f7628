"""care_team as a real process for the latency benchmark, in a namespace of its own
(bench/care_team_fleet.py: schema, topic prefix and consumer groups, all removed afterwards).

The notifications topic is created before the service starts, with
`message.timestamp.type=LogAppendTime`: the broker stamps each record when it appends it,
which (one broker, acks=all) is when the relay's send is acknowledged. That is how the
section measures the outbox relay lag from outside the process.
"""

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from bench.care_team_fleet import CARE_TEAM, fleet, namespace
from bench.kafka_topics import PARTITIONS
from shared.events.registry import Topic
from shared.settings import DEV_JWT_SECRET

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
    """One care_team process in a fresh namespace (bench/care_team_fleet.py), its
    notifications topic stamped by the broker."""
    async with namespace(bootstrap, database_url, "latency") as ns:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="bench-latency-admin")
        await admin.start()
        try:
            notifications = f"{ns.prefix}{Topic.NOTIFICATIONS}"
            await admin.create_topics(
                [NewTopic(notifications, PARTITIONS, 1, topic_configs=LOG_APPEND_TIME)]
            )
        finally:
            await admin.close()
        env = {
            "CARE_TEAM_JWT_SECRET": DEV_JWT_SECRET,
            "CARE_TEAM_ENVIRONMENT": "development",
            **(extra_env or {}),
        }
        async with fleet(ns, 1, env) as [services]:
            yield CareTeamUnderTest(
                url=services.urls[CARE_TEAM.name],
                topic_prefix=ns.prefix,
                consumer_group=ns.group,
                schema=ns.schema,
                jwt_secret=DEV_JWT_SECRET,
                pid=services.children[0].popen.pid,
            )
