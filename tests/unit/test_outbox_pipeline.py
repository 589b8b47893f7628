"""The relay's pipeline against fakes: what is deleted, and when, as deliveries settle."""

import asyncio
from typing import Any, cast

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from shared.outbox_pipeline import Pipeline


class FakeConnection:
    def __init__(self, ids: list[int]) -> None:
        self.rows = {i: {"id": i, "topic": "t", "key": f"k{i % 2}", "payload": b"{}"} for i in ids}
        self.excluded: list[list[int]] = []
        self.deleted: list[list[int]] = []

    async def fetch(self, _: str, limit: int, in_flight: list[int]) -> list[dict[str, Any]]:
        self.excluded.append(sorted(in_flight))
        fresh = [self.rows[i] for i in sorted(self.rows) if i not in in_flight]
        return fresh[:limit]

    async def execute(self, _: str, ids: list[int]) -> None:
        self.deleted.append(list(ids))
        for i in ids:
            del self.rows[i]


class FakeProducer:
    def __init__(self) -> None:
        self.sent: list[tuple[bytes, asyncio.Future[object]]] = []

    async def send(self, _: str, *, value: bytes, key: bytes, headers: object) -> Any:
        delivery: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        self.sent.append((key, delivery))
        return delivery


def _pipeline(conn: FakeConnection, producer: FakeProducer, batch_size: int) -> Pipeline:
    return Pipeline(
        cast(asyncpg.Connection, conn),
        cast(AIOKafkaProducer, producer),
        batch_size=batch_size,
        max_in_flight=100,
        after_publish=None,
        on_published=lambda _: None,
    )


async def test_rows_in_flight_are_not_read_again_and_only_an_acknowledged_prefix_is_deleted() -> (
    None
):
    conn, producer = FakeConnection([1, 2, 3, 4, 5]), FakeProducer()
    pipeline = _pipeline(conn, producer, batch_size=2)
    await pipeline.drain()
    assert len(producer.sent) == 5  # three reads of at most 2, each skipping those in flight
    assert conn.excluded == [[], [1, 2], [1, 2, 3, 4]]
    acknowledging = asyncio.create_task(pipeline.acknowledge())
    producer.sent[1][1].set_result(None)  # the second is acknowledged before the first
    await asyncio.sleep(0.01)
    assert conn.deleted == []
    producer.sent[0][1].set_result(None)
    await asyncio.sleep(0.01)
    assert conn.deleted == [[1, 2]]
    producer.sent[2][1].set_exception(RuntimeError("broker said no"))
    producer.sent[3][1].set_result(None)  # after the failure: kept, to be sent again
    with pytest.raises(RuntimeError, match="broker said no"):
        await asyncio.wait_for(acknowledging, timeout=1)
    assert conn.deleted == [[1, 2]] and sorted(conn.rows) == [3, 4, 5]


async def test_a_row_that_commits_late_with_a_lower_id_is_still_read() -> None:
    conn, producer = FakeConnection([2, 3]), FakeProducer()
    pipeline = _pipeline(conn, producer, batch_size=10)
    await pipeline.drain()
    conn.rows[1] = {"id": 1, "topic": "t", "key": "k1", "payload": b"{}"}  # committed now
    await pipeline.drain()
    assert len(producer.sent) == 3 and conn.excluded[-1] == [2, 3]
