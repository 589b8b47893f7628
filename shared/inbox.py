"""The idempotent consumer: an event's effect and its inbox row commit together."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import asyncpg
from faststream.kafka import KafkaMessage

from shared.db import Connection

Effect = Callable[[Connection], Awaitable[None]]


@dataclass(frozen=True)
class Delivery:
    """Where an event was read from (kept with the inbox row, for tracing)."""

    topic: str
    partition: int
    offset: int

    @classmethod
    def of(cls, message: KafkaMessage) -> "Delivery":
        record = message.raw_message
        if isinstance(record, tuple):
            raise TypeError("Delivery.of takes a single message, not a batch")
        return cls(record.topic, record.partition, record.offset)


# For an event applied where it was made (an HTTP command): nothing was read from Kafka.
APPLIED_AT_SOURCE = Delivery(topic="", partition=-1, offset=-1)


async def claim(conn: Connection, consumer: str, event_id: str, delivery: Delivery) -> bool:
    """Record `event_id` as processed by `consumer` in the caller's transaction.
    False when it already was (then the caller must skip the effect)."""
    claimed = await conn.fetchval(
        """INSERT INTO inbox (consumer, event_id, topic, partition, "offset")
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT DO NOTHING
           RETURNING true""",
        consumer,
        event_id,
        delivery.topic,
        delivery.partition,
        delivery.offset,
    )
    return bool(claimed)


async def claim_applied_at_source(
    conn: Connection, consumer: str, event_ids: Sequence[str]
) -> None:
    """Record events applied where they were made (fresh ids, e.g. a batch of HTTP commands)
    as processed by `consumer`, in one statement of the caller's transaction."""
    if event_ids:
        await conn.execute(
            """INSERT INTO inbox (consumer, event_id, topic, partition, "offset")
               SELECT $1, unnest($2::text[]), $3, $4, $5
               ON CONFLICT DO NOTHING""",
            consumer,
            list(event_ids),
            APPLIED_AT_SOURCE.topic,
            APPLIED_AT_SOURCE.partition,
            APPLIED_AT_SOURCE.offset,
        )


class Inbox:
    def __init__(self, pool: asyncpg.Pool, consumer: str) -> None:
        self._pool = pool
        self._consumer = consumer

    async def process_once(self, event_id: str, delivery: Delivery, effect: Effect) -> bool:
        """Run `effect` unless this event was already processed; True when it ran.

        The offset is committed by the subscriber only after this returns, so a
        crash before the commit redelivers the event and the inbox row (committed
        with the effect) turns the redelivery into a no-op.
        """
        async with self._pool.acquire() as conn, conn.transaction():
            if not await claim(conn, self._consumer, event_id, delivery):
                return False
            await effect(conn)
        return True
