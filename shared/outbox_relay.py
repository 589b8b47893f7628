"""The outbox relay: publishes committed outbox rows to Kafka, in id order.

One relay per service schema is active at a time (a session advisory lock on
its dedicated connection elects it; standbys retry). It wakes on NOTIFY and
polls as a fallback, because notifications are lost while disconnected. A row
is deleted only after the broker acknowledged it (idempotent producer,
acks=all), so a crash in between publishes it again: at-least-once, and the
consumers' inbox absorbs the duplicate.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

import asyncpg
from aiokafka import AIOKafkaProducer

from shared.events.envelope import CONTENT_TYPE

log = logging.getLogger(__name__)

# Called with the ids the broker acknowledged, before they are deleted (a seam for fault tests).
AfterPublish = Callable[[Sequence[int]], Awaitable[None]]


class OutboxRelay:
    def __init__(
        self,
        *,
        dsn: str,
        schema: str,
        bootstrap_servers: str,
        client_id: str,
        batch_size: int = 500,
        poll_interval_s: float = 1.0,
        after_publish: AfterPublish | None = None,
    ) -> None:
        self._dsn = dsn
        self._schema = schema
        self._bootstrap_servers = bootstrap_servers
        self._client_id = client_id
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._after_publish = after_publish
        self._channel = f"{schema}_outbox"
        self._lock_name = f"carecoord.outbox.{schema}"
        self.is_leader = False
        self.published_total = 0

    async def run(self) -> None:
        """Relay until cancelled, reconnecting after any failure."""
        delay = self._poll_interval_s
        while True:
            try:
                await self._run_connected()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning(
                    "outbox relay failed; reconnecting",
                    extra={"schema": self._schema, "error": repr(exc)[:300], "retry_in_s": delay},
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
            else:
                delay = self._poll_interval_s

    async def _run_connected(self) -> None:
        conn = await asyncpg.connect(
            self._dsn,
            server_settings={
                "search_path": f"{self._schema},public",
                "application_name": f"{self._client_id}:outbox-relay",
            },
        )
        try:
            await self._wait_for_leadership(conn)
            wake = asyncio.Event()
            await conn.add_listener(self._channel, lambda *_: wake.set())
            producer = AIOKafkaProducer(
                bootstrap_servers=self._bootstrap_servers,
                client_id=f"{self._client_id}-outbox",
                enable_idempotence=True,  # implies acks=all
                acks="all",
            )
            await producer.start()
            try:
                log.info("outbox relay active", extra={"schema": self._schema})
                while True:
                    wake.clear()  # before draining: a NOTIFY during the drain wakes us again
                    while await self._publish_batch(conn, producer) == self._batch_size:
                        pass
                    # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a
                    # cancellation that lands as the event is set, and shutdown then hangs.
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(self._poll_interval_s):
                            await wake.wait()
                    if conn.is_closed():
                        raise ConnectionError("outbox relay lost its database connection")
            finally:
                await producer.stop()
        finally:
            self.is_leader = False
            await conn.close()

    async def _wait_for_leadership(self, conn: asyncpg.Connection) -> None:
        # Polling the lock is the election: a standby takes over when the leader's session ends.
        while not await conn.fetchval(  # noqa: ASYNC110
            "SELECT pg_try_advisory_lock(hashtextextended($1, 0))", self._lock_name
        ):
            await asyncio.sleep(self._poll_interval_s)
        self.is_leader = True

    async def _publish_batch(self, conn: asyncpg.Connection, producer: AIOKafkaProducer) -> int:
        rows = await conn.fetch(
            "SELECT id, topic, key, payload FROM outbox ORDER BY id LIMIT $1", self._batch_size
        )
        if not rows:
            return 0
        headers = [("content-type", CONTENT_TYPE.encode())]
        # send() only enqueues; the producer batches and keeps per-partition order.
        deliveries = [
            await producer.send(
                row["topic"], value=row["payload"], key=row["key"].encode(), headers=headers
            )
            for row in rows
        ]
        acked: list[int] = []
        failure: BaseException | None = None
        for row, delivery in zip(rows, deliveries, strict=True):
            try:
                await delivery
            except Exception as exc:
                # Keep only the acknowledged prefix so later rows never overtake this one.
                failure = exc
                break
            acked.append(row["id"])
        if acked:
            if self._after_publish is not None:
                await self._after_publish(acked)
            await conn.execute("DELETE FROM outbox WHERE id = any($1::bigint[])", acked)
            self.published_total += len(acked)
        if failure is not None:
            raise failure
        return len(rows)
