"""The three services as real processes (as `make run` starts them): ready, working, and
gone after stop."""

import asyncio
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import httpx

from devstack.services import start_services
from shared.events.registry import Topic
from tests.support.ids import unique
from tests.support.infrastructure import Endpoints
from tests.support.kafka_probe import TopicProbe, events_with
from tests.support.tokens import patient_auth


def _alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def test_services_run_as_processes_and_leave_nothing_behind(infra: Endpoints) -> None:
    prefix = unique("t") + "."
    env = {
        "KAFKA_TOPIC_PREFIX": prefix,
        "DIARY_DB_SCHEMA": unique("diary_"),
        "SCHEDULING_DB_SCHEMA": unique("scheduling_"),
        "CARE_TEAM_DB_SCHEMA": unique("care_team_"),
        "ENVIRONMENT": "test",
        "JWT_SECRET": "carecoord-development-only-secret-change-me",
    }
    with start_services(
        infra.kafka_bootstrap_servers, infra.database_url, instance="test-processes", extra_env=env
    ) as services:
        pids = [child.popen.pid for child in services.children if child.popen is not None]
        assert len(pids) == 3 and all(_alive(pid) for pid in pids)
        assert set(services.urls) == {"diary", "scheduling", "care_team"}
        for url in services.urls.values():
            ready = httpx.get(f"{url}/ready", timeout=10)
            assert (ready.status_code, ready.json()) == (200, {"database": True, "kafka": True})

        patient = unique("p-")
        entry_id = str(uuid4())
        started = datetime.now(UTC) - timedelta(hours=2)
        response = httpx.post(
            f"{services.urls['diary']}/patients/{patient}/attacks",
            json={"entry_id": entry_id, "started_at": started.isoformat(), "intensity": 2},
            headers=patient_auth(patient),
            timeout=10,
        )
        assert response.status_code == 201

        async def published() -> None:
            async with TopicProbe(infra.kafka_bootstrap_servers, f"{prefix}{Topic.DIARY}") as t:
                await t.wait_for(lambda rs: bool(events_with(rs, entry_id=entry_id)))

        asyncio.run(published())
    assert not any(_alive(pid) for pid in pids), "a service process outlived stop()"
    assert os.environ.get("KAFKA_TOPIC_PREFIX") is None  # the test did not leak its env
