"""Background work of the scheduling service: reminders, expired proposals, and joint
reviews for conflicts left unacknowledged. Each pass is exactly-once by construction (rows
claimed and marked in the transaction that enqueues the event), so several instances, and
restarts, never send anything twice. Tests call the passes directly."""

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import asyncpg

from services.scheduling import visits
from services.scheduling.adapters import repository
from services.scheduling.context import SchedulingContext
from services.scheduling.domain.visits import InvalidTransition, Transition
from services.scheduling.proposals import propose_due_joint_reviews
from shared.events.visits import VisitReminderDue
from shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)
_BATCH = 100
EXPIRED = "expired"


async def send_due_reminders(pool: asyncpg.Pool, ctx: SchedulingContext) -> int:
    """`visit.reminder_due` for booked visits whose reminder time has come; how many."""
    async with pool.acquire() as conn, conn.transaction():
        due = await repository.claim_due_reminders(conn, ctx.clock(), _BATCH)
        for stored in due:
            await visits.announce(conn, ctx, VisitReminderDue, stored.visit)
    return len(due)


async def expire_proposals(pool: asyncpg.Pool, ctx: SchedulingContext) -> int:
    """Proposals nobody confirmed in time: cancelled (reason `expired`), their time freed."""
    done = 0
    async with pool.acquire() as conn:
        for visit_id in await repository.expired_proposals(conn, ctx.clock(), _BATCH):
            try:
                await visits.cancel(
                    conn, ctx, visit_id, reason=EXPIRED, cancelled_by="scheduling",
                    transition=Transition.EXPIRE,
                )  # fmt: skip
                done += 1
            except InvalidTransition:
                pass  # confirmed meanwhile
    return done


async def joint_reviews_due(pool: asyncpg.Pool, ctx: SchedulingContext) -> int:
    async with pool.acquire() as conn:
        return await propose_due_joint_reviews(conn, ctx)


def register_loops(runtime: ServiceRuntime, ctx: SchedulingContext, interval_s: float) -> None:
    passes = (send_due_reminders, expire_proposals, joint_reviews_due)

    def loop(
        work: Callable[[asyncpg.Pool, SchedulingContext], Coroutine[Any, Any, int]],
    ) -> Callable[[], Coroutine[Any, Any, None]]:
        async def run() -> None:
            while True:
                try:
                    while await work(runtime.pool, ctx) >= _BATCH:
                        pass  # a full batch: more may be waiting
                except Exception as exc:  # keep the loop alive; the next round retries
                    log.warning("%s failed", work.__name__,
                                extra={"error_type": type(exc).__name__})  # fmt: skip
                await asyncio.sleep(interval_s)

        run.__name__ = work.__name__
        return run

    runtime.background.extend(loop(work) for work in passes)
