"""Use cases: route an event to notifications and store them, in the caller's transaction
(the routing decision and its notifications commit together); announce each one pushed on
Kafka as `notification.created` through the outbox, keyed by the recipient.

The recipient's preferences decide, when it is stored, which channels push a notification
and whether it waits for the digest or the end of quiet hours (domain/delivery.py)."""

from typing import Any
from uuid import UUID

from services.care_team import batch_memo
from services.care_team.adapters import notification_repository as notifications
from services.care_team.adapters import preference_repository as preferences
from services.care_team.context import SOURCE, CareTeamContext
from services.care_team.domain.delivery import Delivery, Preferences, plan_delivery
from services.care_team.domain.routing import Route, notification_id
from services.care_team.notification_batch import PendingNotification
from shared import outbox
from shared.db import Connection
from shared.events.envelope import new_patient_event
from shared.events.notifications import NotificationCreated, NotificationData, NotificationPriority


async def notify(
    conn: Connection,
    ctx: CareTeamContext,
    routes: list[Route],
    *,
    patient_id: str,
    cause_event_id: str,
    cause_type: str,
) -> list[NotificationData]:
    """The notifications created now (a replayed cause creates none). In a consumer batch
    they are only routed here and written at the batch's end: the list is then empty."""
    memo = batch_memo.current()
    if memo is not None:
        now = ctx.clock()
        for route in routes:
            memo.notifications.append(
                PendingNotification(
                    notification_id=notification_id(cause_event_id, route.recipient_id, route.kind),
                    recipient_id=route.recipient_id, patient_id=patient_id, kind=route.kind,
                    priority=route.priority, title=route.title, body=route.body,
                    cause_event_id=cause_event_id, cause_type=cause_type, data=dict(route.data),
                    delivery=plan_delivery(
                        route.priority, await _preferences(conn, route.recipient_id), now
                    ),
                )
            )  # fmt: skip
        return []
    created = []
    for route in routes:
        stored = await store(
            conn,
            ctx,
            notification_id=notification_id(cause_event_id, route.recipient_id, route.kind),
            recipient_id=route.recipient_id,
            patient_id=patient_id,
            kind=route.kind,
            priority=route.priority,
            title=route.title,
            body=route.body,
            cause_event_id=cause_event_id,
            cause_type=cause_type,
            data=dict(route.data),
        )
        if stored is not None:
            created.append(stored)
    return created


async def store(
    conn: Connection,
    ctx: CareTeamContext,
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
    escalation: int = 0,
    escalated_from: UUID | None = None,
    delivery: Delivery | None = None,
) -> NotificationData | None:
    """Store one notification (None: this id exists), pushed as the recipient's preferences
    say unless `delivery` is given (digests and summaries go out as they are)."""
    now = ctx.clock()
    if delivery is None:
        delivery = plan_delivery(priority, await _preferences(conn, recipient_id), now)
    stored = await notifications.insert(
        conn,
        notification_id=notification_id,
        recipient_id=recipient_id,
        patient_id=patient_id,
        kind=kind,
        priority=priority,
        title=title,
        body=body,
        cause_event_id=cause_event_id,
        cause_type=cause_type,
        data=data,
        created_at=now,
        escalation=escalation,
        escalated_from=escalated_from,
        channel=ctx.notify_channel,
        push_channels=delivery.channels,
    )
    if stored is None:
        return None
    if delivery.held is not None:
        await preferences.hold(conn, notification_id, delivery.held, delivery.held_until)
    if "kafka" in delivery.channels:
        await announce(conn, ctx, stored)
    return stored


async def _preferences(conn: Connection, recipient_id: str) -> Preferences:
    memo = batch_memo.current()
    if memo is None:
        return await preferences.preferences_of(conn, recipient_id)
    if recipient_id not in memo.preferences:
        memo.preferences[recipient_id] = await preferences.preferences_of(conn, recipient_id)
    return memo.preferences[recipient_id]


async def announce(conn: Connection, ctx: CareTeamContext, stored: NotificationData) -> None:
    event = new_patient_event(
        NotificationCreated, source=SOURCE, patient_id=stored.patient_id, data=stored
    )
    await outbox.enqueue(conn, event, topic=ctx.notifications_topic, key=stored.recipient_id)
