"""asyncpg access for escalation: the latest link of each unacknowledged urgent chain."""

from datetime import datetime
from uuid import UUID

from services.care_team.domain.escalation import ChainLink
from shared.db import Connection


async def open_chain_ends(
    conn: Connection, *, created_before: datetime, limit: int
) -> list[tuple[ChainLink, str, str, str]]:
    """(link, patient, cause event id, cause type) of each urgent notification created before
    the time that nobody acknowledged, that has no escalation yet, whose chain has not run out
    of people, and whose cause no one has acknowledged in any urgent notification."""
    rows = await conn.fetch(
        """SELECT notification_id, recipient_id, escalation, created_at, title, body, data,
                  patient_id, cause_event_id, cause_type
           FROM notifications n
           WHERE priority = 'urgent' AND acknowledged_at IS NULL AND created_at <= $1
             AND escalation_ended_at IS NULL
             AND NOT EXISTS (SELECT 1 FROM notifications e
                             WHERE e.escalated_from = n.notification_id)
             AND NOT EXISTS (SELECT 1 FROM notifications a
                             WHERE a.cause_event_id = n.cause_event_id
                               AND a.priority = 'urgent' AND a.acknowledged_at IS NOT NULL)
           ORDER BY created_at LIMIT $2""",
        created_before,
        limit,
    )
    return [
        (
            ChainLink(
                r["notification_id"],
                r["recipient_id"],
                r["escalation"],
                r["created_at"],
                r["title"],
                r["body"],
                r["data"],
            ),
            r["patient_id"],
            r["cause_event_id"],
            r["cause_type"],
        )
        for r in rows
    ]


async def urgent_recipients(conn: Connection, cause_event_id: str) -> set[str]:
    """Everyone who has had an urgent notification of this cause (originals, escalations)."""
    rows = await conn.fetch(
        """SELECT DISTINCT recipient_id FROM notifications
           WHERE cause_event_id = $1 AND priority = 'urgent'""",
        cause_event_id,
    )
    return {r["recipient_id"] for r in rows}


async def end_chain(conn: Connection, notification_id: UUID, at: datetime) -> None:
    await conn.execute(
        """UPDATE notifications SET escalation_ended_at = coalesce(escalation_ended_at, $2)
           WHERE notification_id = $1""",
        notification_id,
        at,
    )
