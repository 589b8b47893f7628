"""The outbox relay as a process of its own (`python -m services.care_team relay`): the
service, started with OUTBOX_RELAY_IN_PROCESS=false, publishes nothing itself; the relay
process publishes its events, and SIGTERM stops it cleanly."""

import asyncio
import os
import signal
import sys

import asyncpg

from services.care_team.app import create_app as create_care_team
from services.care_team.settings import CareTeamSettings
from shared.events.registry import Topic
from tests.support.care_team_api import set_up_team
from tests.support.ids import unique
from tests.support.infrastructure import Endpoints
from tests.support.kafka_probe import TopicProbe
from tests.support.services import running_service
from tests.support.waiting import eventually


async def _outbox_rows(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM outbox"))


async def test_a_relay_process_publishes_what_the_service_left_in_its_outbox(
    infra: Endpoints,
) -> None:
    async with running_service(
        create_care_team, CareTeamSettings, infra, outbox_relay_in_process=False
    ) as service:
        settings = service.settings
        patient = unique("p-")
        await set_up_team(service.http, patient, {"dr-okafor": "psychiatrist"})
        pool = service.runtime.pool
        # Nobody relays yet: the member.added event waits in the outbox.
        assert await _outbox_rows(pool) == 1
        env = {
            **os.environ,
            "DATABASE_URL": settings.database_url,
            "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
            "CARE_TEAM_DB_SCHEMA": settings.db_schema,
            "CARE_TEAM_KAFKA_TOPIC_PREFIX": settings.kafka_topic_prefix,
        }
        relay = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "services.care_team", "relay", env=env
        )
        try:
            topic = settings.topic(Topic.CARE_TEAM)
            async with TopicProbe(settings.kafka_bootstrap_servers, topic) as probe:
                [record] = await probe.wait_for(lambda rs: len(rs) >= 1, what="member.added")
            assert record.key == patient.encode()
            await eventually(lambda: _outbox_rows(pool), lambda n: n == 0)
        finally:
            relay.send_signal(signal.SIGTERM)
            async with asyncio.timeout(20):
                code = await relay.wait()
        assert code == 0
