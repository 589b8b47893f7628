"""Creating notifications as the routing consumers do: notify() in a transaction."""

from uuid import uuid4

import asyncpg
from fastapi import FastAPI

from services.care_team.context import CareTeamContext
from services.care_team.domain.routing import Route
from services.care_team.notifying import notify
from shared.events.notifications import NotificationData, NotificationPriority


async def create_notification(
    app: FastAPI,
    *,
    recipient: str,
    patient: str,
    priority: NotificationPriority = NotificationPriority.NORMAL,
    kind: str = "medication_changed",
) -> NotificationData:
    ctx: CareTeamContext = app.state.care_team
    pool: asyncpg.Pool = app.state.runtime.pool
    route = Route(recipient, kind, priority, title=f"{kind} for {patient}", body="details")
    async with pool.acquire() as conn, conn.transaction():
        created = await notify(
            conn, ctx, [route], patient_id=patient, cause_event_id=str(uuid4()), cause_type="test"
        )
    assert len(created) == 1
    return created[0]
