"""Use cases: route an event to notifications and store them, in the caller's transaction
(the routing decision and its notifications commit together); announce each new one as
`notification.created` through the outbox, keyed by the recipient."""

from services.care_team.adapters import notification_repository as notifications
from services.care_team.context import SOURCE, CareTeamContext
from services.care_team.domain.routing import Route, notification_id
from shared import outbox
from shared.db import Connection
from shared.events.envelope import new_patient_event
from shared.events.notifications import NotificationCreated, NotificationData


async def notify(
    conn: Connection,
    ctx: CareTeamContext,
    routes: list[Route],
    *,
    patient_id: str,
    cause_event_id: str,
    cause_type: str,
) -> list[NotificationData]:
    """The notifications created now (a replayed cause creates none)."""
    created = []
    for route in routes:
        stored = await notifications.insert(
            conn,
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
            created_at=ctx.clock(),
            channel=ctx.notify_channel,
        )
        if stored is not None:
            await announce(conn, ctx, stored)
            created.append(stored)
    return created


async def announce(conn: Connection, ctx: CareTeamContext, stored: NotificationData) -> None:
    event = new_patient_event(
        NotificationCreated, source=SOURCE, patient_id=stored.patient_id, data=stored
    )
    await outbox.enqueue(conn, event, topic=ctx.notifications_topic, key=stored.recipient_id)
