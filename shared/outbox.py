"""Writing to the transactional outbox: call inside the transaction that changes state."""

import contextlib
from collections.abc import AsyncIterator
from contextvars import ContextVar
from typing import Any

from shared.db import Connection
from shared.events.envelope import CloudEvent, encode_event

_INSERT = """INSERT INTO outbox (topic, key, event_id, event_type, payload)
             VALUES ($1, $2, $3, $4, $5)"""
Row = tuple[str, str, str, str, bytes]
_staged: ContextVar[list[Row] | None] = ContextVar("outbox_staged", default=None)


async def enqueue(conn: Connection, event: CloudEvent[Any], *, topic: str, key: str) -> None:
    """Stage `event` for publication; it is published only if the caller's transaction commits."""
    if not conn.is_in_transaction():
        raise RuntimeError("outbox.enqueue must run inside the state change's transaction")
    row = (topic, key, event.id, event.type, encode_event(event))
    staged = _staged.get()
    if staged is not None:
        staged.append(row)
        return
    await conn.execute(_INSERT, *row)


@contextlib.asynccontextmanager
async def staged(conn: Connection) -> AsyncIterator[None]:
    """Events enqueued inside the block are written when it ends without error, in the
    order they were enqueued, in one round trip (a consumer batch's many events)."""
    rows: list[Row] = []
    token = _staged.set(rows)
    try:
        yield
    finally:
        _staged.reset(token)
    if rows:
        await conn.executemany(_INSERT, rows)
