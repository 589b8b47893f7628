"""Writing to the transactional outbox: call inside the transaction that changes state."""

from typing import Any

from shared.db import Connection
from shared.events.envelope import CloudEvent, encode_event


async def enqueue(conn: Connection, event: CloudEvent[Any], *, topic: str, key: str) -> None:
    """Stage `event` for publication; it is published only if the caller's transaction commits."""
    if not conn.is_in_transaction():
        raise RuntimeError("outbox.enqueue must run inside the state change's transaction")
    await conn.execute(
        """INSERT INTO outbox (topic, key, event_id, event_type, payload)
           VALUES ($1, $2, $3, $4, $5)""",
        topic,
        key,
        event.id,
        event.type,
        encode_event(event),
    )
