"""The leader relay's publishing, pipelined: the next rows are read and sent while earlier
ones await the broker's acknowledgement, and acknowledged rows are deleted in between.

- Rows are sent in id order. A row sent and not yet deleted is "in flight": every read
  skips exactly those, so a row that committed late with a lower id is still picked up
  (a cursor on the highest id sent would lose it).
- Acknowledgements are taken in send order and only as a prefix: at the first failed
  delivery the prefix before it is deleted and the failure ends the session, so nothing
  sent after it is deleted and all of it is sent again (at-least-once, order kept).
- One statement at a time on the connection (asyncpg allows no more): a lock.
"""

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence

import asyncpg
from aiokafka import AIOKafkaProducer

from shared.events.envelope import CONTENT_TYPE

_HEADERS = [("content-type", CONTENT_TYPE.encode())]
# NOT IN a subquery is a hashed anti-join: one probe per row stepped over (`id <> ALL($2)`
# compared each row with every id in flight, up to 4 x batch_size, on every read).
_SELECT = """SELECT id, topic, key, payload FROM outbox
             WHERE id NOT IN (SELECT unnest($2::bigint[])) ORDER BY id LIMIT $1"""
_DELETE = "DELETE FROM outbox WHERE id = any($1::bigint[])"


class Pipeline:
    def __init__(
        self,
        conn: asyncpg.Connection,
        producer: AIOKafkaProducer,
        *,
        batch_size: int,
        max_in_flight: int,
        after_publish: Callable[[Sequence[int]], Awaitable[None]] | None,
        on_published: Callable[[int], None],
    ) -> None:
        self._conn = conn
        self._producer = producer
        self._batch_size = batch_size
        self._max_in_flight = max_in_flight
        self._after_publish = after_publish
        self._on_published = on_published
        self._db = asyncio.Lock()
        self._unacked: deque[tuple[int, asyncio.Future[object]]] = deque()
        self._in_flight: set[int] = set()  # sent, not yet deleted
        self._sent = asyncio.Event()  # wakes the acknowledger
        self._room = asyncio.Event()  # wakes a sender held back by max_in_flight

    async def drain(self) -> None:
        """Send every committed row not in flight (returns once a read finds no more)."""
        while True:
            while len(self._in_flight) >= self._max_in_flight:
                self._room.clear()
                await self._room.wait()
            async with self._db:
                rows = await self._conn.fetch(_SELECT, self._batch_size, list(self._in_flight))
            for row in rows:
                # send() only enqueues (the producer keeps per-partition order); the future
                # resolves when the broker acknowledged the record.
                delivery = await self._producer.send(
                    row["topic"], value=row["payload"], key=row["key"].encode(), headers=_HEADERS
                )
                self._unacked.append((row["id"], delivery))
                self._in_flight.add(row["id"])
            if rows:
                self._sent.set()
            if len(rows) < self._batch_size:
                return

    async def acknowledge(self) -> None:
        """Delete acknowledged rows, in send order, until a delivery fails (raises) or cancelled."""
        while True:
            if not self._unacked:
                self._sent.clear()
                await self._sent.wait()
                continue
            await asyncio.wait([self._unacked[0][1]])
            acked: list[int] = []
            failure: BaseException | None = None
            while self._unacked and self._unacked[0][1].done():
                row_id, delivery = self._unacked[0]
                failure = delivery.exception()
                if failure is not None:
                    break
                self._unacked.popleft()
                acked.append(row_id)
            if acked:
                if self._after_publish is not None:
                    await self._after_publish(acked)
                async with self._db:
                    await self._conn.execute(_DELETE, acked)
                self._in_flight.difference_update(acked)
                self._room.set()
                self._on_published(len(acked))
            if failure is not None:
                raise failure
