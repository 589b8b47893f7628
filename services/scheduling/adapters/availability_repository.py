"""asyncpg access to clinicians' availability: weekly hours, buffer and exceptions."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg

from services.scheduling.domain.availability import AvailabilityException, Schedule, WeeklyHours
from shared.db import Connection


@dataclass(frozen=True)
class StoredSchedule:
    """A clinician's schedule (with the exceptions loaded for a window, if any) and buffer."""

    schedule: Schedule
    buffer_minutes: int
    updated_at: datetime

    @property
    def clinician_id(self) -> str:
        return self.schedule.clinician_id

    @property
    def time_zone(self) -> str:
        return self.schedule.zone.key


@dataclass(frozen=True)
class StoredException:
    exception_id: UUID
    clinician_id: str
    exception: AvailabilityException
    note: str | None


def weekly_to_json(weekly: Sequence[WeeklyHours]) -> list[dict[str, Any]]:
    """Weekly hours as stored: [{"weekday": 0, "start": "09:00", "end": "17:00"}], sorted."""
    return [
        {"weekday": h.weekday, "start": _wall(h.start), "end": _wall(h.end)}
        for h in sorted(weekly, key=lambda h: (h.weekday, h.start, h.end))
    ]


def weekly_from_json(stored: Sequence[dict[str, Any]]) -> tuple[WeeklyHours, ...]:
    return tuple(
        WeeklyHours(int(h["weekday"]), time.fromisoformat(h["start"]), time.fromisoformat(h["end"]))
        for h in stored
    )


def _wall(value: time) -> str:
    """ "09:00", or "09:00:30" when the time has seconds (the API accepts whole minutes)."""
    return value.isoformat(
        timespec="minutes" if not (value.second or value.microsecond) else "auto"
    )


def _schedule(row: asyncpg.Record, exceptions: Sequence[AvailabilityException]) -> StoredSchedule:
    schedule = Schedule(
        clinician_id=row["clinician_id"],
        zone=ZoneInfo(row["time_zone"]),
        weekly=weekly_from_json(row["weekly_hours"]),
        exceptions=tuple(exceptions),
    )
    return StoredSchedule(schedule, row["buffer_minutes"], row["updated_at"])


def _exception(row: asyncpg.Record) -> StoredException:
    return StoredException(
        exception_id=row["exception_id"],
        clinician_id=row["clinician_id"],
        exception=AvailabilityException(row["kind"], row["starts_at"], row["ends_at"]),
        note=row["note"],
    )


async def save_schedule(
    conn: Connection,
    clinician_id: str,
    *,
    time_zone: str,
    weekly: Sequence[WeeklyHours],
    buffer_minutes: int,
) -> StoredSchedule:
    """Create or replace the clinician's weekly hours, zone and buffer (exceptions stay)."""
    row = await conn.fetchrow(
        """INSERT INTO clinician_schedules (clinician_id, time_zone, weekly_hours, buffer_minutes)
           VALUES ($1, $2, $3, $4)
           ON CONFLICT (clinician_id) DO UPDATE
               SET time_zone = excluded.time_zone, weekly_hours = excluded.weekly_hours,
                   buffer_minutes = excluded.buffer_minutes, updated_at = now()
           RETURNING clinician_id, time_zone, weekly_hours, buffer_minutes, updated_at""",
        clinician_id,
        time_zone,
        weekly_to_json(weekly),
        buffer_minutes,
    )
    assert row is not None
    return _schedule(row, ())


async def get_schedule(conn: Connection, clinician_id: str) -> StoredSchedule | None:
    """The weekly hours, zone and buffer (without exceptions), or None when never set."""
    found = await load_schedules(conn, [clinician_id])
    return found.get(clinician_id)


async def load_schedules(
    conn: Connection,
    clinician_ids: Sequence[str],
    *,
    start: datetime | None = None,
    end: datetime | None = None,
) -> dict[str, StoredSchedule]:
    """The schedules of these clinicians, by id; a clinician without one is missing from the
    result. With a window [start, end), each carries the exceptions that overlap it."""
    rows = await conn.fetch(
        """SELECT clinician_id, time_zone, weekly_hours, buffer_minutes, updated_at
           FROM clinician_schedules WHERE clinician_id = ANY ($1::text[])""",
        list(clinician_ids),
    )
    exceptions: dict[str, list[AvailabilityException]] = {}
    if start is not None and end is not None and rows:
        for stored in await _overlapping(conn, [r["clinician_id"] for r in rows], start, end):
            exceptions.setdefault(stored.clinician_id, []).append(stored.exception)
    return {r["clinician_id"]: _schedule(r, exceptions.get(r["clinician_id"], ())) for r in rows}


async def _overlapping(
    conn: Connection, clinician_ids: list[str], start: datetime, end: datetime
) -> list[StoredException]:
    rows = await conn.fetch(
        """SELECT exception_id, clinician_id, kind, starts_at, ends_at, note
           FROM availability_exceptions
           WHERE clinician_id = ANY ($1::text[]) AND starts_at < $3 AND ends_at > $2
           ORDER BY clinician_id, starts_at, exception_id""",
        clinician_ids,
        start,
        end,
    )
    return [_exception(r) for r in rows]


async def list_exceptions(
    conn: Connection, clinician_id: str, *, ending_after: datetime
) -> list[StoredException]:
    """The clinician's exceptions not over yet at `ending_after`, earliest first."""
    rows = await conn.fetch(
        """SELECT exception_id, clinician_id, kind, starts_at, ends_at, note
           FROM availability_exceptions WHERE clinician_id = $1 AND ends_at > $2
           ORDER BY starts_at, exception_id""",
        clinician_id,
        ending_after,
    )
    return [_exception(r) for r in rows]


async def get_exception(conn: Connection, exception_id: UUID) -> StoredException | None:
    row = await conn.fetchrow(
        """SELECT exception_id, clinician_id, kind, starts_at, ends_at, note
           FROM availability_exceptions WHERE exception_id = $1""",
        exception_id,
    )
    return _exception(row) if row else None


async def insert_exception(conn: Connection, stored: StoredException) -> bool:
    """False when an exception with this id exists already (nothing changed)."""
    inserted = await conn.fetchval(
        """INSERT INTO availability_exceptions
               (exception_id, clinician_id, kind, starts_at, ends_at, note)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (exception_id) DO NOTHING RETURNING true""",
        stored.exception_id,
        stored.clinician_id,
        stored.exception.kind,
        stored.exception.starts_at,
        stored.exception.ends_at,
        stored.note,
    )
    return bool(inserted)


async def delete_exception(conn: Connection, clinician_id: str, exception_id: UUID) -> bool:
    """False when the clinician has no exception with this id."""
    deleted = await conn.fetchval(
        """DELETE FROM availability_exceptions WHERE exception_id = $1 AND clinician_id = $2
           RETURNING true""",
        exception_id,
        clinician_id,
    )
    return bool(deleted)
