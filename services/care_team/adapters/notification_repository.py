"""asyncpg access to notifications: written once per (cause, recipient), read per recipient."""

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from services.care_team import batch_memo
from services.care_team.batch_memo import BatchMemo
from shared.db import Connection
from shared.events.notifications import NotificationData, NotificationPriority

_COLUMNS = """notification_id, recipient_id, seq, patient_id, kind, priority, title, body,
              cause_event_id, cause_type, data, created_at, escalation"""
_LIST_COLUMNS = f"{_COLUMNS}, read_at, acknowledged_at"
NOTIFY_CHANNEL_SUFFIX = "_notifications"


async def _has_webhook(conn: Connection, recipient_id: str, memo: BatchMemo | None) -> bool:
    """Outside a batch: assume so (the insert finds none); in one, ask once per recipient."""
    if memo is None:
        return True
    if recipient_id not in memo.has_webhook:
        memo.has_webhook[recipient_id] = bool(
            await conn.fetchval(
                "SELECT true FROM webhook_subscriptions WHERE recipient_id = $1 AND active",
                recipient_id,
            )
        )
    return memo.has_webhook[recipient_id]


def to_data(row: asyncpg.Record) -> NotificationData:
    return NotificationData(
        notification_id=row["notification_id"],
        recipient_id=row["recipient_id"],
        seq=row["seq"],
        patient_id=row["patient_id"],
        kind=row["kind"],
        priority=NotificationPriority(row["priority"]),
        title=row["title"],
        body=row["body"],
        cause_event_id=row["cause_event_id"],
        cause_type=row["cause_type"],
        data=row["data"],
        created_at=row["created_at"],
        escalation=row["escalation"],
    )


async def insert(
    conn: Connection,
    *,
    notification_id: UUID,
    recipient_id: str,
    patient_id: str,
    kind: str,
    priority: NotificationPriority,
    title: str,
    body: str,
    cause_event_id: str,
    cause_type: str,
    data: dict[str, Any],
    created_at: datetime,
    escalation: int = 0,
    escalated_from: UUID | None = None,
    channel: str,
    push_channels: frozenset[str] | None = None,
) -> NotificationData | None:
    """The stored notification, or None when this id exists (a replayed cause). Takes the
    recipient's next seq under its stream row's lock, queues webhook deliveries, and wakes
    live streams at commit. `push_channels`: the channels that push it (the recipient's
    preferences decide; None: every channel unless it is a digest item)."""
    if push_channels is None:
        push_channels = frozenset(("stream", "webhook", "kafka") if priority.pushed else ())
    # One round trip: skip an existing id, take the recipient's next seq, insert. `took` is
    # NULL when the id existed before; a row without columns means a concurrent insert won.
    row = await conn.fetchrow(
        f"""WITH fresh AS (
                SELECT 1 WHERE NOT EXISTS
                    (SELECT 1 FROM notifications WHERE notification_id = $1)
            ), next AS (
                INSERT INTO notification_streams (recipient_id, last_seq)
                SELECT $2, 1 FROM fresh
                ON CONFLICT (recipient_id)
                DO UPDATE SET last_seq = notification_streams.last_seq + 1
                RETURNING last_seq
            ), inserted AS (
                INSERT INTO notifications (notification_id, recipient_id, seq, patient_id,
                    kind, priority, title, body, cause_event_id, cause_type, data, created_at,
                    escalation, escalated_from, push_channels)
                SELECT $1, $2, last_seq, $3::text, $4::text, $5::text, $6::text, $7::text,
                    $8::text, $9::text, $10::jsonb, $11::timestamptz, $12::integer, $13::uuid,
                    $14::text[]
                FROM next
                ON CONFLICT (notification_id) DO NOTHING
                RETURNING {_COLUMNS}
            )
            SELECT (SELECT last_seq FROM next) AS took, inserted.*
            FROM (SELECT 1) AS one LEFT JOIN inserted ON true""",
        notification_id,
        recipient_id,
        patient_id,
        kind,
        priority.value,
        title,
        body,
        cause_event_id,
        cause_type,
        data,
        created_at,
        escalation,
        escalated_from,
        sorted(push_channels),
    )
    assert row is not None  # the outer SELECT always yields one row
    if row["took"] is None:  # this id exists (a replayed cause)
        return None
    if row["notification_id"] is None:  # a concurrent insert of the same id won: roll back
        raise asyncpg.UniqueViolationError("notification exists")
    memo = batch_memo.current()
    if "webhook" in push_channels and await _has_webhook(conn, recipient_id, memo):
        await conn.execute(
            """INSERT INTO webhook_deliveries (subscription_id, notification_id, seq, status,
                                               next_attempt_at)
               SELECT subscription_id, $2, $3, 'pending', $4 FROM webhook_subscriptions
               WHERE recipient_id = $1 AND active""",
            recipient_id,
            notification_id,
            row["seq"],
            created_at,
        )
    # Postgres folds equal notifications of one transaction into one: send each once.
    if memo is None or (channel, recipient_id) not in memo.woken:
        await conn.execute("SELECT pg_notify($1, $2)", channel, recipient_id)
        if memo is not None:
            memo.woken.add((channel, recipient_id))
    return to_data(row)


async def list_for(
    conn: Connection,
    recipient_id: str,
    *,
    unread: bool | None,
    priority: str | None,
    patient_id: str | None,
    after_seq: int,
    limit: int,
) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"""SELECT {_LIST_COLUMNS} FROM notifications
            WHERE recipient_id = $1 AND seq > $2
              AND ($3::boolean IS NULL OR (read_at IS NULL) = $3)
              AND ($4::text IS NULL OR priority = $4)
              AND ($5::text IS NULL OR patient_id = $5)
            ORDER BY seq LIMIT $6""",
        recipient_id,
        after_seq,
        unread,
        priority,
        patient_id,
        limit,
    )


async def since_audited(
    conn: Connection,
    recipient_id: str,
    after_seq: int,
    limit: int,
    *,
    actor: tuple[str, str],
    resource: str,
) -> list[NotificationData]:
    """What a live stream sends: the recipient's pushed notifications after `after_seq`,
    with a read audit row for `actor` (subject, kind) per patient they show (a digest's:
    each item's) written by the same statement: one round trip, and no transaction of its
    own, for a stream's every wake-up."""
    rows = await conn.fetch(
        f"""WITH batch AS (
                SELECT {_COLUMNS} FROM notifications
                WHERE recipient_id = $1 AND seq > $2 AND 'stream' = ANY(push_channels)
                ORDER BY seq LIMIT $3
            ), shown AS (
                SELECT patient_id FROM batch WHERE patient_id <> ''
                UNION
                SELECT item ->> 'patient_id'
                FROM batch, jsonb_array_elements(CASE
                    WHEN jsonb_typeof(batch.data -> 'items') = 'array' THEN batch.data -> 'items'
                    ELSE '[]' END) AS item
                WHERE batch.patient_id = '' AND coalesce(item ->> 'patient_id', '') <> ''
            ), audited AS (
                INSERT INTO audit_log
                    (actor_subject, actor_kind, action, patient_id, resource, outcome)
                SELECT $4, $5, 'read', patient_id, $6, 'allowed' FROM shown ORDER BY patient_id
            )
            SELECT * FROM batch ORDER BY seq""",
        recipient_id,
        after_seq,
        limit,
        *actor,
        resource,
    )
    return [to_data(r) for r in rows]


async def get_for(
    conn: Connection, recipient_id: str, notification_id: UUID
) -> asyncpg.Record | None:
    """One of the recipient's notifications (None for anyone else's)."""
    return await conn.fetchrow(
        f"""SELECT {_LIST_COLUMNS} FROM notifications
            WHERE recipient_id = $1 AND notification_id = $2""",
        recipient_id,
        notification_id,
    )


async def last_seq(conn: Connection, recipient_id: str) -> int:
    """The recipient's latest seq (0 before the first): where a new live stream starts."""
    seq = await conn.fetchval(
        "SELECT last_seq FROM notification_streams WHERE recipient_id = $1", recipient_id
    )
    return int(seq or 0)


async def mark(
    conn: Connection, recipient_id: str, notification_id: UUID, *, field: str, at: datetime
) -> asyncpg.Record | None:
    """Set read_at or acknowledged_at (once); None when the recipient has no such one."""
    assert field in ("read_at", "acknowledged_at")
    extra = ", read_at = coalesce(read_at, $3)" if field == "acknowledged_at" else ""
    return await conn.fetchrow(
        f"""UPDATE notifications SET {field} = coalesce({field}, $3){extra}
            WHERE recipient_id = $1 AND notification_id = $2
            RETURNING {_LIST_COLUMNS}""",
        recipient_id,
        notification_id,
        at,
    )


async def unacknowledged_urgent(
    conn: Connection, *, escalation: int, created_before: datetime, limit: int
) -> list[NotificationData]:
    """Urgent notifications at this escalation step, unacknowledged since before the time."""
    rows = await conn.fetch(
        f"""SELECT {_COLUMNS} FROM notifications n
            WHERE priority = 'urgent' AND acknowledged_at IS NULL AND escalation = $1
              AND created_at <= $2
              AND NOT EXISTS (SELECT 1 FROM notifications e
                              WHERE e.escalated_from = n.notification_id)
            ORDER BY created_at LIMIT $3""",
        escalation,
        created_before,
        limit,
    )
    return [to_data(r) for r in rows]


async def acknowledged(conn: Connection, notification_id: UUID) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT acknowledged_at IS NOT NULL FROM notifications WHERE notification_id = $1",
            notification_id,
        )
    )
