"""Reads a topic from its beginning (no consumer group) and awaits expected records."""

import json
import time
from collections.abc import Callable
from typing import Any, TypeAlias

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

# aiokafka ships no type information; its ConsumerRecord[bytes, bytes] is Any to mypy.
Record: TypeAlias = Any


class TopicProbe:
    def __init__(self, bootstrap_servers: str, topic: str) -> None:
        self._bootstrap_servers = bootstrap_servers
        self.topic = topic
        self.records: list[Record] = []
        self._consumer: AIOKafkaConsumer | None = None

    async def __aenter__(self) -> "TopicProbe":
        self._consumer = AIOKafkaConsumer(
            self.topic,
            bootstrap_servers=self._bootstrap_servers,
            group_id=None,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await self._consumer.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._consumer is not None:
            await self._consumer.stop()

    async def wait_for(
        self, predicate: Callable[[list[Record]], bool], *, timeout_s: float = 30.0, what: str = ""
    ) -> list[Record]:
        """Consume until `predicate(all records so far)` holds; return all records so far."""
        assert self._consumer is not None
        deadline = time.monotonic() + timeout_s
        while not predicate(self.records):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"timed out waiting for {what or 'records'} on {self.topic}; "
                    f"have {len(self.records)} records"
                )
            batches = await self._consumer.getmany(timeout_ms=int(min(remaining, 0.5) * 1000))
            for records in batches.values():
                self.records.extend(records)
        return self.records

    async def end_offsets_total(self) -> int:
        """How many records the topic holds now (sum of end offsets; topics here never compact)."""
        assert self._consumer is not None
        partitions = self._consumer.assignment()
        while not partitions:  # assignment happens on the first poll
            for records in (await self._consumer.getmany(timeout_ms=100)).values():
                self.records.extend(records)
            partitions = self._consumer.assignment()
        ends = await self._consumer.end_offsets(list(partitions))
        return int(sum(ends.values()))

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(r.value) for r in self.records if r.value is not None]


def header(record: Record, name: str) -> str | None:
    for key, value in record.headers or ():
        if key == name:
            return bytes(value).decode()
    return None


def events_with(records: list[Record], **fields: Any) -> list[dict[str, Any]]:
    """Decoded records whose top-level or `data` fields equal the given values."""
    found = []
    for record in records:
        try:
            event = json.loads(record.value or b"")
        except ValueError:
            continue
        if not isinstance(event, dict):
            continue
        data = event["data"] if isinstance(event.get("data"), dict) else {}
        if all(event.get(k, data.get(k)) == v for k, v in fields.items()):
            found.append(event)
    return found


async def publish_raw(
    bootstrap_servers: str,
    topic: str,
    messages: list[tuple[bytes, bytes]],
    headers: list[tuple[str, bytes]] | None = None,
) -> None:
    """Publish (key, value) pairs in order, as an EHR integration would."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, enable_idempotence=True)
    await producer.start()
    try:
        for key, value in messages:
            await producer.send(
                topic,
                value=value,
                key=key,
                headers=headers or [("content-type", b"application/cloudevents+json")],
            )
        await producer.flush()
    finally:
        await producer.stop()
