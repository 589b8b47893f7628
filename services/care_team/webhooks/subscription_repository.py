"""asyncpg access to webhook subscriptions and their delivery history, for the HTTP API."""

from datetime import datetime
from uuid import UUID

import asyncpg

from shared.db import Connection

_COLUMNS = """s.subscription_id, s.owner_id, s.recipient_id, s.url, s.description, s.active,
    s.created_at, s.deactivated_at, s.delivered_seq,
    (SELECT count(*) FROM webhook_deliveries d
     WHERE d.subscription_id = s.subscription_id AND d.status = 'pending') AS pending,
    (SELECT count(*) FROM webhook_deliveries d
     WHERE d.subscription_id = s.subscription_id AND d.status = 'dead') AS dead"""
_DELIVERY_COLUMNS = """notification_id, seq, status, attempts, next_attempt_at,
    first_attempt_at, finished_at"""


async def create(
    conn: Connection,
    *,
    subscription_id: UUID,
    owner_id: str,
    recipient_id: str,
    url: str,
    description: str | None,
    secret: str,
    created_at: datetime,
) -> asyncpg.Record:
    """A new active subscription; it receives the recipient's notifications from now on."""
    await conn.execute(
        """INSERT INTO webhook_subscriptions (subscription_id, owner_id, recipient_id, url,
               description, secret, created_at, delivered_seq)
           VALUES ($1, $2, $3, $4, $5, $6, $7,
                   coalesce((SELECT last_seq FROM notification_streams
                             WHERE recipient_id = $3), 0))""",
        subscription_id,
        owner_id,
        recipient_id,
        url,
        description,
        secret,
        created_at,
    )
    found = await get(conn, subscription_id)
    assert found is not None
    return found


async def get(conn: Connection, subscription_id: UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM webhook_subscriptions s WHERE s.subscription_id = $1",
        subscription_id,
    )


async def list_for(
    conn: Connection, *, owner_id: str | None, recipient_id: str | None, active: bool | None
) -> list[asyncpg.Record]:
    """Subscriptions by owner and/or recipient (None: any), oldest first."""
    return await conn.fetch(
        f"""SELECT {_COLUMNS} FROM webhook_subscriptions s
            WHERE ($1::text IS NULL OR s.owner_id = $1)
              AND ($2::text IS NULL OR s.recipient_id = $2)
              AND ($3::boolean IS NULL OR s.active = $3)
            ORDER BY s.created_at, s.subscription_id""",
        owner_id,
        recipient_id,
        active,
    )


async def deactivate(conn: Connection, subscription_id: UUID, at: datetime) -> None:
    """No more deliveries: what was still queued is cancelled (kept, for the record)."""
    await conn.execute(
        """UPDATE webhook_subscriptions
           SET active = false, deactivated_at = coalesce(deactivated_at, $2)
           WHERE subscription_id = $1""",
        subscription_id,
        at,
    )
    await conn.execute(
        """UPDATE webhook_deliveries SET status = 'cancelled', finished_at = $2
           WHERE subscription_id = $1 AND status = 'pending'""",
        subscription_id,
        at,
    )


async def deliveries(
    conn: Connection, subscription_id: UUID, *, status: str | None, after_seq: int, limit: int
) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"""SELECT {_DELIVERY_COLUMNS} FROM webhook_deliveries
            WHERE subscription_id = $1 AND ($2::text IS NULL OR status = $2) AND seq > $3
            ORDER BY seq LIMIT $4""",
        subscription_id,
        status,
        after_seq,
        limit,
    )


async def attempts(
    conn: Connection, subscription_id: UUID, notification_ids: list[UUID]
) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT notification_id, attempt, attempted_at, status_code, error, duration_ms
           FROM webhook_attempts
           WHERE subscription_id = $1 AND notification_id = any($2::uuid[])
           ORDER BY notification_id, attempt, id""",
        subscription_id,
        notification_ids,
    )


async def delivery(
    conn: Connection, subscription_id: UUID, notification_id: UUID
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"""SELECT {_DELIVERY_COLUMNS} FROM webhook_deliveries
            WHERE subscription_id = $1 AND notification_id = $2""",
        subscription_id,
        notification_id,
    )


async def requeue_dead(
    conn: Connection, subscription_id: UUID, notification_id: UUID, now: datetime
) -> bool:
    """Put a dead delivery back at its place in the queue, with a fresh retry window."""
    requeued = await conn.fetchval(
        """UPDATE webhook_deliveries
           SET status = 'pending', next_attempt_at = $3, first_attempt_at = NULL,
               finished_at = NULL, round_base = attempts
           WHERE subscription_id = $1 AND notification_id = $2 AND status = 'dead'
           RETURNING true""",
        subscription_id,
        notification_id,
        now,
    )
    return bool(requeued)
