"""asyncpg access to clinicians' notification preferences and the items they hold back."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from services.care_team.domain.delivery import Held, Preferences, QuietHours
from shared.db import Connection

_COLUMNS = """clinician_id, channels, time_zone, digest_hour, quiet_start, quiet_end,
              normal_in_digest, updated_at"""


def to_preferences(row: "asyncpg.Record | Mapping[str, Any]") -> Preferences:
    quiet = None
    if row["quiet_start"] is not None and row["quiet_end"] is not None:
        quiet = QuietHours(row["quiet_start"], row["quiet_end"])
    return Preferences(
        channels=frozenset(row["channels"]) - {"inbox"},  # the inbox is not a choice
        time_zone=row["time_zone"],
        digest_hour=row["digest_hour"],
        quiet_hours=quiet,
        normal_in_digest=row["normal_in_digest"],
    )


async def get(conn: Connection, clinician_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM notification_preferences WHERE clinician_id = $1", clinician_id
    )


async def preferences_of(conn: Connection, clinician_id: str) -> Preferences:
    row = await get(conn, clinician_id)
    return to_preferences(row) if row is not None else Preferences()


async def put(
    conn: Connection, clinician_id: str, prefs: Preferences, at: datetime
) -> asyncpg.Record:
    quiet = prefs.quiet_hours
    row = await conn.fetchrow(
        f"""INSERT INTO notification_preferences AS p (clinician_id, channels, time_zone,
                digest_hour, quiet_start, quiet_end, normal_in_digest, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (clinician_id) DO UPDATE SET channels = $2, time_zone = $3,
                digest_hour = $4, quiet_start = $5, quiet_end = $6, normal_in_digest = $7,
                updated_at = $8
            RETURNING {_COLUMNS}""",
        clinician_id,
        sorted(prefs.channels),
        prefs.time_zone,
        prefs.digest_hour,
        quiet.start if quiet else None,
        quiet.end if quiet else None,
        prefs.normal_in_digest,
        at,
    )
    assert row is not None
    return row


async def hold(
    conn: Connection, notification_id: UUID, held: Held, held_until: datetime | None
) -> None:
    await conn.execute(
        "UPDATE notifications SET held = $2, held_until = $3 WHERE notification_id = $1",
        notification_id,
        held.value,
        held_until,
    )


async def recipients_with_digest_items(conn: Connection) -> list[str]:
    """Clinicians with items waiting for a digest (due or not: their zones differ)."""
    rows = await conn.fetch(
        """SELECT DISTINCT recipient_id FROM notifications
           WHERE held = 'digest' AND summarized_in IS NULL ORDER BY recipient_id"""
    )
    return [r["recipient_id"] for r in rows]


async def quiet_hours_ended(conn: Connection, now: datetime, limit: int) -> list[asyncpg.Record]:
    """(recipient, end of quiet hours) whose held items await their summary."""
    return await conn.fetch(
        """SELECT DISTINCT recipient_id, held_until FROM notifications
           WHERE held = 'quiet_hours' AND summarized_in IS NULL AND held_until <= $1
           ORDER BY held_until, recipient_id LIMIT $2""",
        now,
        limit,
    )


async def held_items(
    conn: Connection,
    recipient_id: str,
    held: Held,
    *,
    created_before: datetime | None = None,
    held_until: datetime | None = None,
) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT notification_id, patient_id, title, priority FROM notifications
           WHERE recipient_id = $1 AND held = $2 AND summarized_in IS NULL
             AND ($3::timestamptz IS NULL OR created_at <= $3)
             AND ($4::timestamptz IS NULL OR held_until = $4)
           ORDER BY seq""",
        recipient_id,
        held.value,
        created_before,
        held_until,
    )


async def mark_summarized(conn: Connection, summary_id: UUID, item_ids: list[UUID]) -> None:
    await conn.execute(
        """UPDATE notifications SET summarized_in = $1
           WHERE notification_id = ANY($2::uuid[]) AND summarized_in IS NULL""",
        summary_id,
        item_ids,
    )
