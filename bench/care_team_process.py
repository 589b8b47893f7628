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

from bench.care_team_fleet import CARE_TEAM, fleet, namespace, relay_process
from bench.kafka_topics import PARTITIONS
from shared.events.registry import Topic
from shared.settings import DEV_JWT_SECRET

LOG_APPEND_TIME = {"message.timestamp.type": "LogAppendTime"}


@dataclass(frozen=True)
class CareTeamUnderTest:
    urls: tuple[str, ...]  # one per instance (the first also serves set-up and the streams)
    topic_prefix: str
    consumer_group: str  # the prefix of its groups: "<this>.prescriptions", ...
    schema: str
    jwt_secret: str
    instance_pids: tuple[int, ...]
    relay_pid: int | None  # the relay's own process, when it runs apart

    @property
    def url(self) -> str:
        return self.urls[0]

    @property
    def pids(self) -> tuple[int, ...]:
        relay = () if self.relay_pid is None else (self.relay_pid,)
        return self.instance_pids + relay

    @property
    def host_port(self) -> tuple[str, int]:
        return self.host_ports[0]

    @property
    def host_ports(self) -> list[tuple[str, int]]:
        ports = []
        for url in self.urls:
            parts = urlsplit(url)
            assert parts.hostname is not None and parts.port is not None
            ports.append((parts.hostname, parts.port))
        return ports

    def topic(self, name: Topic) -> str:
        return f"{self.topic_prefix}{name}"


@contextlib.asynccontextmanager
async def care_team_process(
    bootstrap: str,
    database_url: str,
    *,
    extra_env: dict[str, str] | None = None,
    relay_apart: bool = False,
    instances: int = 1,
) -> AsyncIterator[CareTeamUnderTest]:
    """`instances` care_team processes in a fresh namespace (bench/care_team_fleet.py), its
    notifications topic stamped by the broker; `relay_apart`: their outbox relayed by a
    process of its own (shared/relay_process.py)."""
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
        if relay_apart:
            env["CARE_TEAM_OUTBOX_RELAY_IN_PROCESS"] = "false"
        async with contextlib.AsyncExitStack() as stack:
            fleet_services = await stack.enter_async_context(fleet(ns, instances, env))
            relay_pid = None
            if relay_apart:
                relay_pid = await stack.enter_async_context(relay_process(ns, env))
            yield CareTeamUnderTest(
                urls=tuple(s.urls[CARE_TEAM.name] for s in fleet_services),
                topic_prefix=ns.prefix,
                consumer_group=ns.group,
                schema=ns.schema,
                jwt_secret=DEV_JWT_SECRET,
                instance_pids=tuple(s.children[0].popen.pid for s in fleet_services),
                relay_pid=relay_pid,
            )
