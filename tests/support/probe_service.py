"""A minimal service on the shared runtime, for testing the shared machinery on real
infrastructure: its subscriber applies `probe` events through the inbox (one at a time, or
a batch per transaction), writing one `effects` row per application, and can be told to
fail an event's first N attempts, or to meet a database outage on its first N."""

from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal

import asyncpg
from faststream.kafka.annotations import KafkaMessage
from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict

from shared.batch_inbox import BatchInbox
from shared.db import Connection
from shared.events.envelope import CloudEvent, decode_json_body
from shared.inbox import Delivery, Inbox
from shared.migrations import service_migrations
from shared.outbox_relay import AfterPublish
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings

PROBE_TOPIC = "carecoord.probe.v1"
PROBE_TYPE = "org.carecoord.test.probe.v1"


class ProbeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROBE_", extra="ignore")
    service_name: ClassVar[str] = "probe"
    default_port: ClassVar[int] = 1


class ProbeData(BaseModel):
    patient_id: str
    seq: int = Field(ge=0)
    fail_times: int = 0
    outage_times: int = 0  # attempts that meet an injected outage (after fail_times)


class ProbeEvent(CloudEvent[ProbeData]):
    type: Literal["org.carecoord.test.probe.v1"] = "org.carecoord.test.probe.v1"


class InjectedFailure(RuntimeError):
    pass


class InjectedOutage(asyncpg.PostgresConnectionError):
    pass


def build_probe(
    settings: ProbeSettings,
    *,
    relay_after_publish: AfterPublish | None = None,
    batch: bool = False,
) -> tuple[ServiceRuntime, Counter[str]]:
    runtime = ServiceRuntime(
        settings,
        migrations=service_migrations("probe", Path(__file__).parent / "sql"),
        consumes=[PROBE_TOPIC],
        relay_after_publish=relay_after_publish,
    )
    attempts: Counter[str] = Counter()

    async def effect_of(conn: Connection, event: ProbeEvent) -> None:
        await conn.execute(
            "INSERT INTO effects (event_id, patient_id, seq) VALUES ($1, $2, $3)",
            event.id,
            event.data.patient_id,
            event.data.seq,
        )
        attempts[event.id] += 1
        if attempts[event.id] <= event.data.fail_times:
            raise InjectedFailure("injected failure after the effect was written")
        if attempts[event.id] <= event.data.fail_times + event.data.outage_times:
            raise InjectedOutage("injected outage after the effect was written")

    if batch:
        _batch_subscriber(runtime, settings, effect_of)
        return runtime, attempts

    @runtime.broker.subscriber(
        settings.topic(PROBE_TOPIC),
        group_id=settings.kafka_consumer_group,
        auto_offset_reset="earliest",
    )
    async def on_probe(event: ProbeEvent, message: KafkaMessage) -> None:
        async def effect(conn: Connection) -> None:
            await effect_of(conn, event)

        await Inbox(runtime.pool, "probe").process_once(event.id, Delivery.of(message), effect)

    return runtime, attempts


def _batch_subscriber(
    runtime: ServiceRuntime,
    settings: ProbeSettings,
    effect_of: Callable[[Connection, ProbeEvent], Awaitable[None]],
) -> None:
    async def apply(conn: Connection, events: Sequence[ProbeEvent]) -> None:
        for event in events:
            await effect_of(conn, event)

    batches = BatchInbox(
        pool_of=lambda: runtime.pool,
        consumer="probe",
        decode=lambda value: ProbeEvent.model_validate(decode_json_body(value)),
        event_id=lambda event: event.id,
        apply=apply,
        dead_letters=runtime.dead_letters,
        policy=runtime.retry_policy,
    )

    @runtime.broker.subscriber(
        settings.topic(PROBE_TOPIC),
        group_id=settings.kafka_consumer_group,
        auto_offset_reset="earliest",
        batch=True,
        max_records=settings.consumer_batch_max_records,
        batch_timeout_ms=settings.consumer_batch_timeout_ms,
    )
    async def on_probes(message: KafkaMessage) -> None:
        records = message.raw_message
        await batches.process(records if isinstance(records, tuple) else (records,))


def probe_event(
    patient_id: str, seq: int, *, event_id: str, fail_times: int = 0, outage_times: int = 0
) -> ProbeEvent:
    return ProbeEvent(
        id=event_id,
        source="/tests/probe",
        subject=f"patient/{patient_id}",
        data=ProbeData(
            patient_id=patient_id, seq=seq, fail_times=fail_times, outage_times=outage_times
        ),
    )


async def effects(runtime: ServiceRuntime, **where: Any) -> list[dict[str, Any]]:
    conditions = " AND ".join(f"{k} = ${i}" for i, k in enumerate(where, 1)) or "true"
    rows = await runtime.pool.fetch(
        f"SELECT event_id, patient_id, seq FROM effects WHERE {conditions} ORDER BY id",
        *where.values(),
    )
    return [dict(r) for r in rows]
