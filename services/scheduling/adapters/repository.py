"""asyncpg access to visits and who they occupy."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from services.scheduling.domain.visits import holds_time, participants
from shared.db import Connection
from shared.events.visits import Modality, VisitData, VisitStatus, VisitType

_COLUMNS = """visit_id, patient_id, clinician_ids, type, modality, starts_at, ends_at, status,
              expires_at, reason, outcome_note, proposal_key"""


@dataclass(frozen=True)
class StoredVisit:
    visit: VisitData
    reason: str | None
    outcome_note: str | None
    proposal_key: str | None


class SlotTaken(Exception):
    """The no-double-booking constraint refused: someone is busy then."""

    def __init__(self, participant: str) -> None:
        self.participant = participant
        kind, _, who = participant.partition(":")
        super().__init__(f"{kind} {who} already has a visit at that time")


def _stored(row: asyncpg.Record) -> StoredVisit:
    visit = VisitData(
        visit_id=row["visit_id"],
        patient_id=row["patient_id"],
        clinician_ids=list(row["clinician_ids"]),
        type=VisitType(row["type"]),
        modality=Modality(row["modality"]),
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        status=VisitStatus(row["status"]),
        expires_at=row["expires_at"],
    )
    return StoredVisit(visit, row["reason"], row["outcome_note"], row["proposal_key"])


async def _occupy(conn: Connection, visit: VisitData) -> None:
    """The visit's participant rows; the exclusion constraint checks them on insert."""
    try:
        async with conn.transaction():  # a savepoint: the caller maps the refusal to a 409
            await conn.executemany(
                """INSERT INTO visit_participants (visit_id, participant, during, holds)
                   VALUES ($1, $2, tstzrange($3, $4), $5)""",
                [
                    (visit.visit_id, p, visit.starts_at, visit.ends_at, holds_time(visit.status))
                    for p in participants(visit.patient_id, visit.clinician_ids)
                ],
            )
    except asyncpg.ExclusionViolationError as error:
        raise SlotTaken(_busy_participant(error)) from None


def _busy_participant(error: asyncpg.ExclusionViolationError) -> str:
    # DETAIL: Key (participant, during)=(clinician:dr-x, [...)) conflicts with existing key ...
    detail = getattr(error, "detail", "") or ""
    start = detail.find("=(")
    return detail[start + 2 :].split(",", 1)[0] if start >= 0 else "someone:"


async def insert_visit(
    conn: Connection,
    visit: VisitData,
    *,
    reminder_due_at: datetime | None,
    proposal_key: str | None = None,
) -> bool:
    """False when a visit with this id (or this proposal key) exists already; SlotTaken when
    a participant is busy. Call inside a transaction."""
    inserted = await conn.fetchval(
        """INSERT INTO visits (visit_id, patient_id, clinician_ids, type, modality, starts_at,
                               ends_at, status, expires_at, proposal_key, reminder_due_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT DO NOTHING RETURNING true""",
        visit.visit_id,
        visit.patient_id,
        visit.clinician_ids,
        visit.type.value,
        visit.modality.value,
        visit.starts_at,
        visit.ends_at,
        visit.status.value,
        visit.expires_at,
        proposal_key,
        reminder_due_at,
    )
    if not inserted:
        return False
    await _occupy(conn, visit)
    return True


async def get_visit(conn: Connection, visit_id: UUID, *, lock: bool = False) -> StoredVisit | None:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM visits WHERE visit_id = $1{' FOR UPDATE' if lock else ''}",
        visit_id,
    )
    return _stored(row) if row else None


async def by_proposal_key(conn: Connection, key: str) -> StoredVisit | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM visits WHERE proposal_key = $1", key)
    return _stored(row) if row else None


async def save_transition(
    conn: Connection,
    visit: VisitData,
    *,
    reason: str | None = None,
    outcome_note: str | None = None,
    reminder_due_at: datetime | None = None,
    time_changed: bool = False,
) -> None:
    """Store the visit's new status (and time); its participants follow. SlotTaken when the
    new time is taken."""
    await conn.execute(
        """UPDATE visits SET status = $2, starts_at = $3, ends_at = $4, expires_at = $5,
               reason = coalesce($6, reason), outcome_note = coalesce($7, outcome_note),
               reminder_due_at = CASE WHEN $8 THEN $9 ELSE reminder_due_at END,
               reminded_at = CASE WHEN $8 THEN NULL ELSE reminded_at END,
               updated_at = now()
           WHERE visit_id = $1""",
        visit.visit_id,
        visit.status.value,
        visit.starts_at,
        visit.ends_at,
        visit.expires_at,
        reason,
        outcome_note,
        time_changed,
        reminder_due_at,
    )
    if time_changed:
        await conn.execute("DELETE FROM visit_participants WHERE visit_id = $1", visit.visit_id)
        await _occupy(conn, visit)
    else:
        await conn.execute(
            "UPDATE visit_participants SET holds = $2 WHERE visit_id = $1",
            visit.visit_id,
            holds_time(visit.status),
        )


async def list_visits(
    conn: Connection,
    *,
    clinician_id: str | None,
    patient_id: str | None,
    start: datetime,
    end: datetime,
) -> list[StoredVisit]:
    rows = await conn.fetch(
        f"""SELECT {_COLUMNS} FROM visits
            WHERE ($1::text IS NULL OR $1 = ANY (clinician_ids))
              AND ($2::text IS NULL OR patient_id = $2)
              AND starts_at < $4 AND ends_at > $3
            ORDER BY starts_at, visit_id""",
        clinician_id,
        patient_id,
        start,
        end,
    )
    return [_stored(r) for r in rows]


async def busy(
    conn: Connection, participant_keys: list[str], start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """When any of these participants is taken within [start, end)."""
    rows = await conn.fetch(
        """SELECT lower(during) AS s, upper(during) AS e FROM visit_participants
           WHERE holds AND participant = ANY ($1::text[]) AND during && tstzrange($2, $3)
           ORDER BY 1""",
        participant_keys,
        start,
        end,
    )
    return [(r["s"], r["e"]) for r in rows]


async def claim_due_reminders(conn: Connection, now: datetime, limit: int) -> list[StoredVisit]:
    """Booked visits whose reminder is due, marked reminded in the caller's transaction (so a
    reminder is enqueued exactly once, whatever restarts)."""
    rows = await conn.fetch(
        f"""UPDATE visits SET reminded_at = $1
            WHERE visit_id IN (
                SELECT visit_id FROM visits
                WHERE status = 'booked' AND reminded_at IS NULL AND reminder_due_at <= $1
                ORDER BY reminder_due_at LIMIT $2 FOR UPDATE SKIP LOCKED)
            RETURNING {_COLUMNS}""",
        now,
        limit,
    )
    return [_stored(r) for r in rows]


async def expired_proposals(conn: Connection, now: datetime, limit: int) -> list[UUID]:
    rows = await conn.fetch(
        """SELECT visit_id FROM visits WHERE status = 'proposed' AND expires_at <= $1
           ORDER BY expires_at LIMIT $2""",
        now,
        limit,
    )
    return [r["visit_id"] for r in rows]
