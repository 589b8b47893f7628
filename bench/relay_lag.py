"""Outbox relay lag, read afterwards: for each `notification.created` of one rule, the
broker's append time (the topic has LogAppendTime: with one broker and acks=all that is
when the relay's send is acknowledged) minus the commit time of the transaction that wrote
the notification (PostgreSQL's commit timestamp of the row, `track_commit_timestamp`, which
devstack's server turns on). Broker and database share one machine, so one clock.

A server without commit timestamps gives the notification's `created_at` instead: the
service's clock as the transaction writes the rows, before its last statements and the
commit. That is an upper bound (on a saturated service the end of the transaction waits its
turn for tens of ms), and the figure's label then says so.
"""

import json
from dataclasses import dataclass
from datetime import datetime

import asyncpg
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord

from bench.kafka_topics import partitions_of

LOG_APPEND_TIME = 1  # aiokafka's timestamp_type for broker-stamped records
READ_LIMIT_MS = 2000


@dataclass(frozen=True)
class RelayLags:
    by_patient: dict[str, float]  # ms, the first notification of the rule per patient
    from_commit: bool  # False: from created_at (no commit timestamps on this server)


@dataclass(frozen=True)
class _Appended:
    patient_id: str
    notification_id: str
    appended_ms: float
    created_ms: float


async def relay_lags(
    bootstrap: str, topic: str, rule_id: str, database_url: str, schema: str
) -> RelayLags:
    appended = await _appended(bootstrap, topic, rule_id)
    committed = await _commit_times_ms(database_url, schema, [a.notification_id for a in appended])
    if committed is None:
        return RelayLags({a.patient_id: a.appended_ms - a.created_ms for a in appended}, False)
    return RelayLags(
        {
            a.patient_id: a.appended_ms - committed[a.notification_id]
            for a in appended
            if a.notification_id in committed
        },
        True,
    )


async def _commit_times_ms(
    database_url: str, schema: str, notification_ids: list[str]
) -> dict[str, float] | None:
    """notification id -> when its row's transaction committed (epoch ms); None when the
    server keeps no commit timestamps. The rows are never updated here, so xmin is the
    inserting transaction."""
    conn = await asyncpg.connect(database_url)
    try:
        if await conn.fetchval("SHOW track_commit_timestamp") != "on":
            return None
        rows = await conn.fetch(
            f"""SELECT notification_id::text AS id,
                       extract(epoch FROM pg_xact_commit_timestamp(xmin)) * 1000 AS ms
                FROM "{schema}".notifications WHERE notification_id = any($1::uuid[])""",
            notification_ids,
        )
        return {row["id"]: float(row["ms"]) for row in rows if row["ms"] is not None}
    finally:
        await conn.close()


async def _appended(bootstrap: str, topic: str, rule_id: str) -> list[_Appended]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = await partitions_of(bootstrap, topic)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        found: dict[str, _Appended] = {}
        needle = f'"{rule_id}"'.encode()
        while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
            batches = await consumer.getmany(timeout_ms=READ_LIMIT_MS, max_records=5000)
            if not batches:
                break
            for records in batches.values():
                for record in records:
                    _take(record, needle, rule_id, found)
        return list(found.values())
    finally:
        await consumer.stop()


def _take(
    record: ConsumerRecord[bytes, bytes],
    needle: bytes,
    rule_id: str,
    found: dict[str, _Appended],
) -> None:
    if record.value is None or needle not in record.value:
        return
    if record.timestamp_type != LOG_APPEND_TIME:
        raise RuntimeError(f"{record.topic} is not LogAppendTime: the lag would be meaningless")
    notification = json.loads(record.value)["data"]
    if notification.get("data", {}).get("rule_id") != rule_id:
        return
    created = datetime.fromisoformat(notification["created_at"]).timestamp() * 1000
    found.setdefault(
        notification["patient_id"],
        _Appended(
            notification["patient_id"],
            notification["notification_id"],
            float(record.timestamp),
            created,
        ),
    )
