"""Use case and background loop: items held back by a clinician's preferences go out as one
notification: the daily digest at their digest hour (`digest`), and a summary when their
quiet hours end (`quiet_hours_summary`).

Each summary's id is stable (clinician and local date; clinician and the end of the quiet
hours), and it marks the items it lists in its own transaction: it is created once, however
often and on however many instances the loop runs.
"""

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from services.care_team.adapters import preference_repository as preferences
from services.care_team.context import CareTeamContext
from services.care_team.domain.delivery import (
    Delivery,
    Held,
    digest_id,
    latest_digest,
    quiet_summary_id,
)
from services.care_team.notifying import store
from shared.events.notifications import NotificationPriority
from shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)
DIGEST_KIND, QUIET_SUMMARY_KIND = "digest", "quiet_hours_summary"
SUMMARY_PATIENT = ""  # a summary lists items of several patients; each item names its own


async def send_due_summaries(pool: asyncpg.Pool, ctx: CareTeamContext) -> int:
    """Create every due digest and quiet-hours summary; returns how many it created."""
    now = ctx.clock()
    created = 0
    async with pool.acquire() as conn:
        digest_recipients = await preferences.recipients_with_digest_items(conn)
        quiet_ended = await preferences.quiet_hours_ended(conn, now, limit=500)
    for recipient in digest_recipients:
        created += await _digest(pool, ctx, recipient, now)
    for row in quiet_ended:
        created += await _quiet_summary(pool, ctx, row["recipient_id"], row["held_until"])
    return created


async def _digest(pool: asyncpg.Pool, ctx: CareTeamContext, recipient: str, now: datetime) -> int:
    async with pool.acquire() as conn:
        prefs = await preferences.preferences_of(conn, recipient)
    day, at = latest_digest(prefs, now)
    title = f"Daily digest {day.isoformat()}"
    return await _summarize(
        pool, ctx, recipient, digest_id(recipient, day), DIGEST_KIND, title, Held.DIGEST,
        prefs.channels, created_before=at,
    )  # fmt: skip


async def _quiet_summary(
    pool: asyncpg.Pool, ctx: CareTeamContext, recipient: str, held_until: datetime
) -> int:
    async with pool.acquire() as conn:
        prefs = await preferences.preferences_of(conn, recipient)
    return await _summarize(
        pool, ctx, recipient, quiet_summary_id(recipient, held_until), QUIET_SUMMARY_KIND,
        "During your quiet hours", Held.QUIET_HOURS, prefs.channels, held_until=held_until,
    )  # fmt: skip


async def _summarize(
    pool: asyncpg.Pool,
    ctx: CareTeamContext,
    recipient: str,
    summary_id: UUID,
    kind: str,
    title: str,
    held: Held,
    channels: frozenset[str],
    *,
    created_before: datetime | None = None,
    held_until: datetime | None = None,
) -> int:
    try:
        async with pool.acquire() as conn, conn.transaction():
            items = await preferences.held_items(
                conn, recipient, held, created_before=created_before, held_until=held_until
            )
            if not items:
                return 0
            stored = await store(
                conn,
                ctx,
                notification_id=summary_id,
                recipient_id=recipient,
                patient_id=SUMMARY_PATIENT,
                kind=kind,
                priority=NotificationPriority.NORMAL,
                title=f"{title}: {len(items)} item{'s' if len(items) != 1 else ''}",
                body="\n".join(
                    [f"{len(items)} held back:"]
                    + [f"- {i['title']} (patient {i['patient_id']})" for i in items]
                ),
                cause_event_id=str(summary_id),
                cause_type=kind,
                data={"items": [_listed(i) for i in items]},
                delivery=Delivery(channels),
            )
            if stored is None:
                return 0  # this digest went out already; newer items wait for the next one
            await preferences.mark_summarized(
                conn, summary_id, [i["notification_id"] for i in items]
            )
            return 1
    except asyncpg.UniqueViolationError:
        return 0  # another instance created it at the same moment


def _listed(item: asyncpg.Record) -> dict[str, str]:
    return {"notification_id": str(item["notification_id"]), "patient_id": item["patient_id"],
            "title": item["title"]}  # fmt: skip


def summary_loop(
    runtime: ServiceRuntime, ctx: CareTeamContext, *, interval_s: float
) -> Callable[[], Coroutine[Any, Any, None]]:
    async def send_digests_and_quiet_hours_summaries() -> None:
        while True:
            try:
                await send_due_summaries(runtime.pool, ctx)
            except Exception as exc:  # keep the loop alive; the next round retries
                log.warning("digest round failed", extra={"error_type": type(exc).__name__})
            await asyncio.sleep(interval_s)

    return send_digests_and_quiet_hours_summaries
