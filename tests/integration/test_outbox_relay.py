import asyncio
import json
import sys
from collections import defaultdict

import asyncpg

from shared import outbox
from shared.migrations import apply_migrations
from shared.outbox_relay import OutboxRelay
from tests.integration.conftest import Probe
from tests.support.ids import unique
from tests.support.infrastructure import Endpoints
from tests.support.kafka_probe import TopicProbe, events_with, header
from tests.support.probe_service import (
    PROBE_TOPIC,
    PROBE_TYPE,
    ProbeSettings,
    build_probe,
    effects,
    probe_event,
)
from tests.support.settings import isolated_settings
from tests.support.waiting import eventually


async def _outbox_size(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM outbox"))


async def test_committed_event_is_published_once_keyed_by_patient(probe: Probe) -> None:
    event = probe_event("p-1", 1, event_id=unique("e-"))
    await probe.stage(event)
    async with TopicProbe(probe.settings.kafka_bootstrap_servers, probe.topic) as topic:
        records = await topic.wait_for(lambda rs: bool(events_with(rs, id=event.id)), what="event")
    [record] = [r for r in records if json.loads(r.value)["id"] == event.id]
    assert record.key == b"p-1"
    assert header(record, "content-type") == "application/cloudevents+json"
    assert json.loads(record.value)["type"] == "org.carecoord.test.probe.v1"
    await eventually(
        lambda: _outbox_size(probe.runtime.pool), lambda n: n == 0, what="empty outbox"
    )


async def test_rolled_back_event_is_never_published(probe: Probe) -> None:
    ghost = probe_event("p-1", 1, event_id=unique("ghost-"))
    marker = probe_event("p-1", 2, event_id=unique("marker-"))
    async with probe.runtime.pool.acquire() as conn:
        tx = conn.transaction()
        await tx.start()
        await outbox.enqueue(conn, ghost, topic=probe.topic, key="p-1")
        await tx.rollback()
    await probe.stage(marker)
    async with TopicProbe(probe.settings.kafka_bootstrap_servers, probe.topic) as topic:
        records = await topic.wait_for(lambda rs: bool(events_with(rs, id=marker.id)))
    assert events_with(records, id=ghost.id) == []


async def test_relay_killed_after_broker_ack_republishes_and_the_inbox_absorbs_it(
    probe_settings: ProbeSettings,
) -> None:
    s = probe_settings
    runtime, _ = build_probe(s)
    await apply_migrations(s.database_url, s.db_schema, runtime.migrations)
    event = probe_event("p-1", 1, event_id=unique("e-"))
    conn = await asyncpg.connect(s.database_url, server_settings={"search_path": s.db_schema})
    try:
        async with conn.transaction():
            await outbox.enqueue(conn, event, topic=s.topic("carecoord.probe.v1"), key="p-1")
        from shared.kafka import ensure_topics

        await ensure_topics(
            s.kafka_bootstrap_servers, [s.topic("carecoord.probe.v1")], partitions=3
        )
        # A relay process that dies by SIGKILL after the ack, before deleting the row.
        killer = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.support.relay_killer",
            s.database_url,
            s.db_schema,
            s.kafka_bootstrap_servers,
        )
        assert await asyncio.wait_for(killer.wait(), timeout=60) == -9
        assert await conn.fetchval("SELECT count(*) FROM outbox") == 1  # not marked
    finally:
        await conn.close()

    await runtime.start()  # its relay publishes the row again; its consumer sees both copies
    try:
        marker = probe_event("p-1", 2, event_id=unique("marker-"))
        async with runtime.pool.acquire() as c, c.transaction():
            await outbox.enqueue(c, marker, topic=s.topic("carecoord.probe.v1"), key="p-1")
        # Same key, same partition: once the marker is applied, both copies were consumed.
        await eventually(lambda: effects(runtime, event_id=marker.id), lambda rows: len(rows) == 1)
        async with TopicProbe(s.kafka_bootstrap_servers, s.topic("carecoord.probe.v1")) as topic:
            records = await topic.wait_for(lambda rs: bool(events_with(rs, id=marker.id)))
        assert len(events_with(records, id=event.id)) == 2  # published twice ...
        assert len(await effects(runtime, event_id=event.id)) == 1  # ... applied once
        assert await _outbox_size(runtime.pool) == 0
    finally:
        await runtime.stop()


async def test_each_patients_events_are_published_in_commit_order(probe: Probe) -> None:
    patients = [unique("p-") for _ in range(5)]
    staged = [probe_event(patients[i % 5], i, event_id=unique("e-")) for i in range(150)]
    await probe.stage(*staged)
    async with TopicProbe(probe.settings.kafka_bootstrap_servers, probe.topic) as topic:
        records = await topic.wait_for(
            lambda rs: len(events_with(rs, type="org.carecoord.test.probe.v1")) >= 150
        )
    seen: dict[str, list[int]] = defaultdict(list)
    for record in records:
        event = json.loads(record.value)
        assert record.key == event["data"]["patient_id"].encode()
        seen[event["data"]["patient_id"]].append(event["data"]["seq"])
    for patient in patients:
        assert seen[patient] == sorted(seen[patient]) and len(seen[patient]) == 30


async def test_one_relay_per_schema_is_active_and_a_standby_takes_over(probe: Probe) -> None:
    s = probe.settings
    await eventually(lambda: _is(probe.runtime.relay.is_leader), bool, what="first relay leads")
    standby = OutboxRelay(
        dsn=s.database_url,
        schema=s.db_schema,
        bootstrap_servers=s.kafka_bootstrap_servers,
        client_id="standby",
        poll_interval_s=0.1,
    )
    task = asyncio.create_task(standby.run())
    try:
        staged = probe_event("p-1", 1, event_id=unique("e-"))
        await probe.stage(staged)
        await eventually(lambda: _outbox_size(probe.runtime.pool), lambda n: n == 0)
        assert standby.is_leader is False and standby.published_total == 0
        await probe.runtime.stop()  # the leader's session ends, releasing its lock
        await eventually(lambda: _is(standby.is_leader), bool, what="standby takes over")
        conn = await asyncpg.connect(s.database_url, server_settings={"search_path": s.db_schema})
        try:
            late = probe_event("p-1", 2, event_id=unique("late-"))
            async with conn.transaction():
                await outbox.enqueue(conn, late, topic=probe.topic, key="p-1")
        finally:
            await conn.close()
        await eventually(lambda: _is(standby.published_total), lambda n: n == 1)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _is(value: object) -> object:
    return value


async def test_stopping_the_relay_ends_its_session(probe_settings: ProbeSettings) -> None:
    s = probe_settings
    runtime, _ = build_probe(s)
    await runtime.start()
    try:
        await eventually(lambda: _is(runtime.relay.is_leader), bool, what="relay leads")
        async with runtime.pool.acquire() as conn, conn.transaction():
            await outbox.enqueue(
                conn,
                probe_event("p-1", 1, event_id=unique("e-")),
                topic=s.topic(PROBE_TOPIC),
                key="p-1",
            )
        await eventually(lambda: _outbox_size(runtime.pool), lambda n: n == 0)
    finally:
        await runtime.stop()
    # Stopped means its session is over: the leader's lock is free at once.
    session = await asyncpg.connect(s.database_url)
    try:
        lock = f"carecoord.outbox.{s.db_schema}"
        assert await session.fetchval("SELECT pg_try_advisory_lock(hashtextextended($1, 0))", lock)
    finally:
        await session.close()


async def test_a_row_committed_after_a_later_one_is_published_too(probe: Probe) -> None:
    early, late = (
        probe_event("p-1", 1, event_id=unique("e-")),
        probe_event("p-2", 1, event_id=unique("e-")),
    )
    async with probe.runtime.pool.acquire() as conn:
        tx = conn.transaction()
        await tx.start()
        await outbox.enqueue(conn, early, topic=probe.topic, key="p-1")  # the lower id ...
        await probe.stage(late)  # ... commits after this one, sent and deleted meanwhile
        await eventually(lambda: _outbox_size(probe.runtime.pool), lambda n: n == 0)
        await tx.commit()
    async with TopicProbe(probe.settings.kafka_bootstrap_servers, probe.topic) as topic:
        await topic.wait_for(lambda rs: bool(events_with(rs, id=early.id)), what="early")
    await eventually(lambda: _outbox_size(probe.runtime.pool), lambda n: n == 0)


async def test_batches_in_flight_together_keep_each_keys_order(infra: Endpoints) -> None:
    s = isolated_settings(ProbeSettings, infra, outbox_batch_size=7)
    runtime, _ = build_probe(s)
    await runtime.start()
    try:
        patients = [unique("p-") for _ in range(3)]
        events = [probe_event(patients[i % 3], i, event_id=unique("e-")) for i in range(120)]
        async with runtime.pool.acquire() as conn:
            for start in range(0, len(events), 40):  # a few large commits: many batches at once
                async with conn.transaction():
                    for event in events[start : start + 40]:
                        key = event.data.patient_id
                        await outbox.enqueue(conn, event, topic=s.topic(PROBE_TOPIC), key=key)
        async with TopicProbe(s.kafka_bootstrap_servers, s.topic(PROBE_TOPIC)) as topic:
            records = await topic.wait_for(lambda rs: len(events_with(rs, type=PROBE_TYPE)) >= 120)
    finally:
        await runtime.stop()
    seen: dict[str, list[int]] = defaultdict(list)
    for record in records:
        event = json.loads(record.value)
        seen[event["data"]["patient_id"]].append(event["data"]["seq"])
    for patient in patients:
        assert seen[patient] == sorted(seen[patient]) and len(seen[patient]) == 40
