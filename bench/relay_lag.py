"""Outbox relay lag, read from the topic afterwards: for each `notification.created` of one
rule, the broker's append time (the topic has LogAppendTime: with one broker and acks=all
that is when the relay's send is acknowledged) minus the notification's `created_at` (the
service's clock as the transaction writes the notification rows; its last few statements
and the commit come after, and on a saturated service each of them waits its turn on the
service's loop: tens of ms at the high rates).

So each figure is commit → broker ack plus the end of that transaction: an upper bound of
the relay lag, never flattering it. Broker and service share one machine, so one clock.
"""

import json
from datetime import datetime

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord

from bench.kafka_topics import partitions_of

LOG_APPEND_TIME = 1  # aiokafka's timestamp_type for broker-stamped records
READ_LIMIT_MS = 2000


async def relay_lag_ms(bootstrap: str, topic: str, rule_id: str) -> dict[str, float]:
    """patient id -> lag in ms of that patient's notification of `rule_id` (the first one
    per patient: one psychiatrist per patient here)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = await partitions_of(bootstrap, topic)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        lags: dict[str, float] = {}
        needle = f'"{rule_id}"'.encode()
        while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
            batches = await consumer.getmany(timeout_ms=READ_LIMIT_MS, max_records=5000)
            if not batches:
                break
            for records in batches.values():
                for record in records:
                    _take(record, needle, rule_id, lags)
        return lags
    finally:
        await consumer.stop()


def _take(
    record: ConsumerRecord[bytes, bytes], needle: bytes, rule_id: str, lags: dict[str, float]
) -> None:
    if record.value is None or needle not in record.value:
        return
    if record.timestamp_type != LOG_APPEND_TIME:
        raise RuntimeError(f"{record.topic} is not LogAppendTime: the lag would be meaningless")
    notification = json.loads(record.value)["data"]
    if notification.get("data", {}).get("rule_id") != rule_id:
        return
    created = datetime.fromisoformat(notification["created_at"]).timestamp()
    lags.setdefault(notification["patient_id"], record.timestamp - created * 1000)
