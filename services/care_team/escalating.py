"""Use case and background loop: escalate urgent notifications nobody acknowledged
(domain/escalation.py decides; this stores each step as a notification).

Several instances may run it at once: each step's id is stable (the original's id and the
step), so the second insert of a step conflicts and its transaction rolls back.
"""

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

import asyncpg

from services.care_team.adapters import escalation_repository as chains
from services.care_team.adapters import team_repository as team
from services.care_team.context import CareTeamContext
from services.care_team.domain.escalation import ESCALATION_KIND, next_escalation
from services.care_team.notifying import store
from shared.events.notifications import NotificationPriority
from shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)


async def escalate_due(
    pool: asyncpg.Pool, ctx: CareTeamContext, *, escalate_after: timedelta, batch: int = 100
) -> int:
    """Take every due step once; returns how many notifications it created."""
    now = ctx.clock()
    async with pool.acquire() as conn:
        ends = await chains.open_chain_ends(conn, created_before=now - escalate_after, limit=batch)
    created = 0
    for link, patient_id, cause_event_id, cause_type in ends:
        try:
            async with pool.acquire() as conn, conn.transaction():
                members = await team.member_roles(conn, patient_id)
                had = await chains.urgent_recipients(conn, cause_event_id)
                step = next_escalation(
                    link, team=members, already_had=had, now=now, escalate_after=escalate_after
                )
                if step is None:  # due, so nobody is left: stop looking at this chain
                    await chains.end_chain(conn, link.notification_id, now)
                    log.warning("urgent notification unacknowledged, nobody left to escalate to",
                                extra={"notification_id": str(link.original_id)})  # fmt: skip
                    continue
                stored = await store(
                    conn,
                    ctx,
                    notification_id=step.notification_id,
                    recipient_id=step.recipient_id,
                    patient_id=patient_id,
                    kind=ESCALATION_KIND,
                    priority=NotificationPriority.URGENT,
                    title=step.title,
                    body=step.body,
                    cause_event_id=cause_event_id,
                    cause_type=cause_type,
                    data=step.data,
                    escalation=step.step,
                    escalated_from=link.notification_id,
                )
                created += stored is not None
        except asyncpg.UniqueViolationError:
            pass  # another instance stored this step at the same moment
    return created


def escalation_loop(
    runtime: ServiceRuntime, ctx: CareTeamContext, *, escalate_after: timedelta, interval_s: float
) -> Callable[[], Coroutine[Any, Any, None]]:
    async def escalate_unacknowledged_urgent() -> None:
        while True:
            try:
                while await escalate_due(runtime.pool, ctx, escalate_after=escalate_after) > 0:
                    pass
            except Exception as exc:  # keep the loop alive; the next round retries
                log.warning("escalation round failed", extra={"error_type": type(exc).__name__})
            await asyncio.sleep(interval_s)

    return escalate_unacknowledged_urgent
