"""The idempotent consumer, a batch at a time: one transaction for a whole Kafka batch.

For a batch (FastStream `batch=True`, AckPolicy.ACK, offsets committed only after this
returns):
1. each record is decoded and validated on its own; a poison one goes to `<topic>.dlq`
   with the reason at once and the rest carry on;
2. in ONE transaction: an inbox row for every event id (one statement; ids already
   processed, or repeated within the batch, are skipped), then the effects of the fresh
   events in the batch's order (per partition, the order they were produced in);
3. if that transaction fails for any reason but an outage, the batch is applied again one
   event per transaction, so one bad event is isolated: it is retried up to the policy's
   attempts, then dead-lettered, and every other event is applied.
An outage (database or Kafka unreachable) raises NackMessage: the batch comes back from its
earliest offsets, and events whose transaction committed before are skipped by the inbox.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeAlias, TypeVar

import asyncpg
from aiokafka import ConsumerRecord
from faststream.exceptions import NackMessage

from shared.db import Connection
from shared.dead_letters import (
    INFRASTRUCTURE_ERRORS,
    POISON_ERRORS,
    DeadLetterPublisher,
    RetryPolicy,
    describe_failure,
    log_dead_lettered,
)

log = logging.getLogger(__name__)

E = TypeVar("E")
Record: TypeAlias = "ConsumerRecord[Any, Any]"
# Applies fresh events (never seen by this consumer) in order, in the caller's transaction.
ApplyMany = Callable[[Connection, Sequence[E]], Awaitable[None]]


@dataclass(frozen=True)
class Decoded(Generic[E]):
    record: Record
    event: E
    event_id: str


async def claim_many(conn: Connection, consumer: str, items: Sequence[Decoded[Any]]) -> set[str]:
    """Record every event id as processed by `consumer`; the ids that were not before."""
    rows = await conn.fetch(
        """INSERT INTO inbox (consumer, event_id, topic, partition, "offset")
           SELECT $1, e, t, p, o
           FROM unnest($2::text[], $3::text[], $4::int[], $5::bigint[]) AS b(e, t, p, o)
           ON CONFLICT DO NOTHING
           RETURNING event_id""",
        consumer,
        [i.event_id for i in items],
        [i.record.topic for i in items],
        [i.record.partition for i in items],
        [i.record.offset for i in items],
    )
    return {row["event_id"] for row in rows}


class BatchInbox(Generic[E]):
    def __init__(
        self,
        *,
        pool_of: Callable[[], asyncpg.Pool],
        consumer: str,
        decode: Callable[[bytes], E],
        event_id: Callable[[E], str],
        apply: ApplyMany[E],
        dead_letters: DeadLetterPublisher,
        policy: RetryPolicy,
    ) -> None:
        self._pool_of = pool_of  # the pool exists only once the service has started
        self._consumer = consumer
        self._decode = decode
        self._event_id = event_id
        self._apply = apply
        self._dead_letters = dead_letters
        self._policy = policy
        self._outages = 0

    async def process(self, records: Sequence[Record]) -> None:
        """Apply a batch; raises NackMessage (after a backoff) when it must come back."""
        try:
            decoded = [d for r in records if (d := await self._decoded(r)) is not None]
            if decoded:
                await self._apply_batch(decoded)
            self._outages = 0
        except NackMessage:
            raise
        except Exception as exc:  # an outage, or the dead-letter topic unreachable
            self._outages += 1
            log.warning(
                "batch failed; will redeliver",
                extra={"consumer": self._consumer, "error_type": type(exc).__name__},
            )
            await asyncio.sleep(self._policy.delay(self._outages))
            raise NackMessage() from exc

    async def _decoded(self, record: Record) -> Decoded[E] | None:
        try:
            event = self._decode(record.value)
        except POISON_ERRORS as exc:
            await self._dead_letter(record, describe_failure(exc), exc, attempts=1)
            return None
        return Decoded(record, event, self._event_id(event))

    async def _apply_batch(self, batch: Sequence[Decoded[E]]) -> None:
        try:
            async with self._pool_of().acquire() as conn, conn.transaction():
                fresh = await claim_many(conn, self._consumer, batch)
                await self._apply(conn, _first_of_each(batch, fresh))
            return
        except INFRASTRUCTURE_ERRORS:
            raise
        except Exception as exc:
            log.warning(
                "batch transaction failed; applying its events one at a time",
                extra={"consumer": self._consumer, "error_type": type(exc).__name__},
            )
        for item in batch:
            await self._apply_alone(item)

    async def _apply_alone(self, item: Decoded[E]) -> None:
        """One event in its own transaction: retried, then dead-lettered (outages raise)."""
        attempt = 0
        while True:
            attempt += 1
            try:
                async with self._pool_of().acquire() as conn, conn.transaction():
                    if await claim_many(conn, self._consumer, [item]):
                        await self._apply(conn, [item.event])
                return
            except INFRASTRUCTURE_ERRORS:
                raise
            except POISON_ERRORS as exc:
                await self._dead_letter(item.record, describe_failure(exc), exc, attempt)
                return
            except Exception as exc:
                if attempt >= self._policy.max_attempts:
                    reason = f"failed {attempt} times; last error: {describe_failure(exc)}"
                    await self._dead_letter(item.record, reason, exc, attempt)
                    return
                await asyncio.sleep(self._policy.delay(attempt))

    async def _dead_letter(
        self, record: Record, reason: str, error: BaseException, attempts: int
    ) -> None:
        await self._dead_letters.publish(record, reason=reason, error=error, attempts=attempts)
        log_dead_lettered(record, error)


def _first_of_each(batch: Sequence[Decoded[E]], fresh: set[str]) -> list[E]:
    """The fresh events in order, each once (the same id may come twice in one batch)."""
    pending = set(fresh)
    events = []
    for item in batch:
        if item.event_id in pending:
            pending.discard(item.event_id)
            events.append(item.event)
    return events
