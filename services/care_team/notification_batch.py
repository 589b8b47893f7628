"""A consumer batch's notifications, written together when the batch's events are applied:
a handful of statements for the whole batch instead of several per notification.

The same rows as `notifying.store` writes one at a time: ids already stored (a replayed
cause) are skipped, each recipient's next seqs are taken in one statement (stream rows
locked in recipient order, so two batches never deadlock on them), webhook deliveries
queued, `notification.created` staged in the outbox for those pushed on Kafka, and each
recipient's live streams woken once at commit. As in `store`, `created_at` is when the rows
are written, near the commit, not when each was routed: a batch routes for a while first."""

from collections import Counter
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from services.care_team.context import SOURCE, CareTeamContext
from services.care_team.domain.delivery import Delivery
from shared import outbox
from shared.db import Connection
from shared.events.envelope import new_patient_event
from shared.events.notifications import NotificationCreated, NotificationData, NotificationPriority


@dataclass(frozen=True)
class PendingNotification:
    notification_id: UUID
    recipient_id: str
    patient_id: str
    kind: str
    priority: NotificationPriority
    title: str
    body: str
    cause_event_id: str
    cause_type: str
    data: dict[str, Any]
    delivery: Delivery


async def write_notifications(
    conn: Connection, ctx: CareTeamContext, pending: list[PendingNotification]
) -> None:
    if not pending:
        return
    existing = {
        row["notification_id"]
        for row in await conn.fetch(
            "SELECT notification_id FROM notifications WHERE notification_id = any($1::uuid[])",
            [p.notification_id for p in pending],
        )
    }
    fresh: list[PendingNotification] = []
    for p in pending:
        if p.notification_id not in existing:
            existing.add(p.notification_id)
            fresh.append(p)
    if not fresh:
        return
    counts = Counter(p.recipient_id for p in fresh)
    recipients = sorted(counts)
    rows = await conn.fetch(
        """INSERT INTO notification_streams AS s (recipient_id, last_seq)
           SELECT r, n FROM unnest($1::text[], $2::bigint[]) AS t(r, n) ORDER BY r
           ON CONFLICT (recipient_id) DO UPDATE SET last_seq = s.last_seq + excluded.last_seq
           RETURNING recipient_id, last_seq""",
        recipients,
        [counts[r] for r in recipients],
    )
    # last_seq is after this batch's notifications: each recipient's first is n - 1 before it.
    next_seq = {r["recipient_id"]: r["last_seq"] - counts[r["recipient_id"]] + 1 for r in rows}
    created_at = ctx.clock()
    stored: list[tuple[PendingNotification, int]] = []
    for p in fresh:
        stored.append((p, next_seq[p.recipient_id]))
        next_seq[p.recipient_id] += 1
    await conn.executemany(
        """INSERT INTO notifications (notification_id, recipient_id, seq, patient_id, kind,
               priority, title, body, cause_event_id, cause_type, data, created_at,
               push_channels, held, held_until)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)""",
        [
            (
                p.notification_id, p.recipient_id, seq, p.patient_id, p.kind,
                p.priority.value, p.title, p.body, p.cause_event_id, p.cause_type, p.data,
                created_at, sorted(p.delivery.channels),
                p.delivery.held.value if p.delivery.held is not None else None,
                p.delivery.held_until,
            )
            for p, seq in stored
        ],
    )  # fmt: skip
    webhooks = [(p, seq) for p, seq in stored if "webhook" in p.delivery.channels]
    if webhooks:
        await conn.execute(
            """INSERT INTO webhook_deliveries (subscription_id, notification_id, seq, status,
                                               next_attempt_at)
               SELECT s.subscription_id, n.id, n.seq, 'pending', n.at
               FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::timestamptz[])
                    AS n(id, recipient, seq, at)
               JOIN webhook_subscriptions s ON s.recipient_id = n.recipient AND s.active""",
            [p.notification_id for p, _ in webhooks],
            [p.recipient_id for p, _ in webhooks],
            [seq for _, seq in webhooks],
            [created_at] * len(webhooks),
        )
    for p, seq in stored:
        if "kafka" in p.delivery.channels:
            data = NotificationData(
                notification_id=p.notification_id, recipient_id=p.recipient_id, seq=seq,
                patient_id=p.patient_id, kind=p.kind, priority=p.priority, title=p.title,
                body=p.body, cause_event_id=p.cause_event_id, cause_type=p.cause_type,
                data=p.data, created_at=created_at,
            )  # fmt: skip
            event = new_patient_event(
                NotificationCreated, source=SOURCE, patient_id=p.patient_id, data=data
            )
            await outbox.enqueue(conn, event, topic=ctx.notifications_topic, key=p.recipient_id)
    await conn.execute(
        "SELECT pg_notify($1, r) FROM unnest($2::text[]) AS r", ctx.notify_channel, recipients
    )
