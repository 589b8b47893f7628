"""asyncpg access to what proposals follow: conflicts awaiting acknowledgement, preventive
changes, and proposals by their trigger key."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from services.scheduling.adapters import repository
from shared.db import Connection
from shared.events.visits import VisitData


@dataclass(frozen=True)
class PendingConflict:
    conflict_id: UUID
    patient_id: str
    prescribers: tuple[str, ...]


async def proposal(conn: Connection, key: str) -> VisitData | None:
    stored = await repository.by_proposal_key(conn, key)
    return stored.visit if stored else None


async def record_conflict(
    conn: Connection,
    conflict_id: UUID,
    patient_id: str,
    prescribers: list[str],
    severity: str,
    flagged_at: datetime,
    due_at: datetime,
) -> None:
    """A re-flag keeps the first clock: the wait counts from the first flag."""
    await conn.execute(
        """INSERT INTO open_conflicts (conflict_id, patient_id, prescribers, severity,
                                       flagged_at, due_at)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (conflict_id) DO UPDATE SET prescribers = excluded.prescribers,
               severity = excluded.severity""",
        conflict_id,
        patient_id,
        prescribers,
        severity,
        flagged_at,
        due_at,
    )


async def settle_conflict(conn: Connection, conflict_id: UUID, at: datetime) -> None:
    """Acknowledged or resolved: no joint review for it (kept as a row, in case the flag
    arrives after its acknowledgement)."""
    await conn.execute(
        """INSERT INTO open_conflicts (conflict_id, patient_id, prescribers, severity,
                                       flagged_at, due_at, settled_at)
           VALUES ($1, '', '{}', '', $2, $2, $2)
           ON CONFLICT (conflict_id) DO UPDATE
               SET settled_at = coalesce(open_conflicts.settled_at, excluded.settled_at)""",
        conflict_id,
        at,
    )


async def due_conflicts(conn: Connection, now: datetime, limit: int) -> list[PendingConflict]:
    rows = await conn.fetch(
        """SELECT conflict_id, patient_id, prescribers FROM open_conflicts
           WHERE settled_at IS NULL AND proposed_at IS NULL AND due_at <= $1
           ORDER BY due_at LIMIT $2""",
        now,
        limit,
    )
    return [
        PendingConflict(r["conflict_id"], r["patient_id"], tuple(r["prescribers"])) for r in rows
    ]


async def still_due(conn: Connection, conflict_id: UUID, now: datetime) -> bool:
    """Locks the row: two loop passes (or instances) never propose for one conflict twice."""
    return bool(
        await conn.fetchval(
            """SELECT true FROM open_conflicts WHERE conflict_id = $1 AND settled_at IS NULL
                   AND proposed_at IS NULL AND due_at <= $2 FOR UPDATE SKIP LOCKED""",
            conflict_id,
            now,
        )
    )


async def mark_proposed(conn: Connection, conflict_id: UUID, at: datetime) -> None:
    await conn.execute(
        "UPDATE open_conflicts SET proposed_at = $2 WHERE conflict_id = $1", conflict_id, at
    )


async def give_up(conn: Connection, conflict_id: UUID, at: datetime) -> None:
    await conn.execute(
        "UPDATE open_conflicts SET settled_at = $2 WHERE conflict_id = $1", conflict_id, at
    )


async def retry_later(conn: Connection, conflict_id: UUID, at: datetime) -> None:
    await conn.execute(
        "UPDATE open_conflicts SET due_at = $2 WHERE conflict_id = $1", conflict_id, at
    )


async def set_follow_up_window(
    conn: Connection, visit_id: UUID, window: tuple[timedelta, timedelta]
) -> None:
    await conn.execute(
        """UPDATE visits SET follow_up_after_days = $2, follow_up_before_days = $3
           WHERE visit_id = $1""",
        visit_id,
        window[0].days,
        window[1].days,
    )


async def follow_up_window(conn: Connection, visit_id: UUID) -> tuple[timedelta, timedelta] | None:
    """The window the clinician set at the visit, if any."""
    row = await conn.fetchrow(
        "SELECT follow_up_after_days, follow_up_before_days FROM visits WHERE visit_id = $1",
        visit_id,
    )
    if row is None or row["follow_up_after_days"] is None:
        return None
    return timedelta(days=row["follow_up_after_days"]), timedelta(days=row["follow_up_before_days"])


async def record_preventive_change(
    conn: Connection,
    event_id: str,
    patient_id: str,
    prescriber_id: str,
    medication: str,
    effective_at: datetime,
) -> None:
    await conn.execute(
        """INSERT INTO preventive_changes (event_id, patient_id, prescriber_id, medication,
                                           effective_at)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING""",
        event_id,
        patient_id,
        prescriber_id,
        medication,
        effective_at,
    )


async def preventive_changed_between(
    conn: Connection, patient_id: str, prescriber_id: str, start: datetime, end: datetime
) -> bool:
    return bool(
        await conn.fetchval(
            """SELECT true FROM preventive_changes WHERE patient_id = $1 AND prescriber_id = $2
                   AND effective_at BETWEEN $3 AND $4 LIMIT 1""",
            patient_id,
            prescriber_id,
            start,
            end,
        )
    )


async def fulfilled_visit_around(
    conn: Connection, patient_id: str, clinician_id: str, start: datetime, end: datetime
) -> VisitData | None:
    """The latest visit that took place with this clinician, starting in [start, end]."""
    visit_id = await conn.fetchval(
        """SELECT visit_id FROM visits WHERE patient_id = $1 AND $2 = ANY (clinician_ids)
               AND status = 'fulfilled' AND starts_at BETWEEN $3 AND $4
           ORDER BY starts_at DESC LIMIT 1""",
        patient_id,
        clinician_id,
        start,
        end,
    )
    if visit_id is None:
        return None
    stored = await repository.get_visit(conn, visit_id)
    return stored.visit if stored else None
