"""Use cases: clinicians set their weekly hours and exceptions; anyone looks for free slots.

A slot is free when every clinician asked for works then (weekly hours in their own time
zone, plus extra hours, minus leave) and no participant (the clinicians and, when given,
the patient) has a visit that holds time then, widened by a buffer on both sides: the
largest `buffer_minutes` of the clinicians. The pure search is `domain.availability`.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from services.scheduling.adapters import availability_repository, repository
from services.scheduling.adapters.availability_repository import StoredException, StoredSchedule
from services.scheduling.context import SchedulingContext
from services.scheduling.domain.availability import (
    AvailabilityException,
    Interval,
    Schedule,
    WeeklyHours,
    earliest_slot,
    free_slots,
)
from services.scheduling.domain.visits import participants
from shared.db import Connection

STEP = timedelta(minutes=15)  # slot starts lie on the quarter hours (UTC epoch grid)


class UnknownSchedule(Exception):
    """A clinician asked for has never set their availability."""

    def __init__(self, clinician_id: str) -> None:
        self.clinician_id = clinician_id
        super().__init__(f"clinician {clinician_id} has no availability set")


class ExceptionIdTaken(Exception):
    """The exception id is already used for a different exception."""


@dataclass(frozen=True)
class FoundSlots:
    slots: list[Interval]  # UTC, earliest first
    buffer: timedelta  # kept around every participant's visits
    next_from: datetime | None  # where to continue when `limit` cut the list short


async def set_weekly_hours(
    conn: Connection,
    clinician_id: str,
    *,
    time_zone: str,
    weekly: Sequence[WeeklyHours],
    buffer_minutes: int,
) -> StoredSchedule:
    return await availability_repository.save_schedule(
        conn, clinician_id, time_zone=time_zone, weekly=weekly, buffer_minutes=buffer_minutes
    )


async def get_availability(
    conn: Connection, ctx: SchedulingContext, clinician_id: str
) -> tuple[StoredSchedule, list[StoredException]]:
    """The schedule and the exceptions not over yet. UnknownSchedule when never set."""
    stored = await availability_repository.get_schedule(conn, clinician_id)
    if stored is None:
        raise UnknownSchedule(clinician_id)
    exceptions = await availability_repository.list_exceptions(
        conn, clinician_id, ending_after=ctx.clock()
    )
    return stored, exceptions


async def add_exception(
    conn: Connection,
    clinician_id: str,
    exception_id: UUID,
    exception: AvailabilityException,
    note: str | None,
) -> tuple[StoredException, bool]:
    """The exception and whether it was added now (False: a retry with the same id and
    content). UnknownSchedule without weekly hours; ExceptionIdTaken for a reused id."""
    if await availability_repository.get_schedule(conn, clinician_id) is None:
        raise UnknownSchedule(clinician_id)
    wanted = StoredException(exception_id, clinician_id, exception, note)
    if await availability_repository.insert_exception(conn, wanted):
        return wanted, True
    stored = await availability_repository.get_exception(conn, exception_id)
    if stored != wanted:  # aware datetimes compare as instants, whatever their zone
        raise ExceptionIdTaken()
    assert stored is not None
    return stored, False


async def remove_exception(conn: Connection, clinician_id: str, exception_id: UUID) -> bool:
    """False when the clinician has no such exception."""
    return await availability_repository.delete_exception(conn, clinician_id, exception_id)


async def _inputs(
    conn: Connection,
    clinician_ids: Sequence[str],
    patient_id: str | None,
    start: datetime,
    end: datetime,
) -> tuple[list[Schedule], list[Interval], timedelta]:
    """The clinicians' schedules (in the order asked), everyone's busy times and the buffer.
    UnknownSchedule names the first clinician without a schedule."""
    found = await availability_repository.load_schedules(conn, clinician_ids, start=start, end=end)
    missing = next((c for c in clinician_ids if c not in found), None)
    if missing is not None:
        raise UnknownSchedule(missing)
    stored = [found[c] for c in clinician_ids]
    buffer = timedelta(minutes=max(s.buffer_minutes for s in stored))
    keys = participants(patient_id or "", list(clinician_ids))
    if patient_id is None:
        keys = keys[1:]  # the clinicians only
    # A visit just outside the window still blocks its buffer inside it.
    busy = await repository.busy(conn, keys, start - buffer, end + buffer)
    return [s.schedule for s in stored], busy, buffer


async def find_slots(
    conn: Connection,
    ctx: SchedulingContext,
    clinician_ids: Sequence[str],
    patient_id: str | None,
    length: timedelta,
    start: datetime,
    end: datetime,
    limit: int,
) -> FoundSlots:
    """Free slots of `length` in [start, end) for all the clinicians together (and the
    patient, when given), earliest first, at most `limit`; never in the past."""
    start = min(max(start, ctx.clock()), end)  # a window wholly in the past is empty
    schedules, busy, buffer = await _inputs(conn, clinician_ids, patient_id, start, end)
    if start == end:
        return FoundSlots([], buffer, None)
    slots = free_slots(
        schedules, busy, length, start, end, buffer=buffer, step=STEP, limit=limit + 1
    )
    if len(slots) > limit:
        return FoundSlots(slots[:limit], buffer, slots[limit][0])
    return FoundSlots(slots, buffer, None)


async def earliest_common_slot(
    conn: Connection,
    clinician_ids: list[str],
    patient_id: str,
    length: timedelta,
    start: datetime,
    end: datetime,
) -> tuple[datetime, datetime] | None:
    """The first slot of `length` in [start, end) (UTC) when all the clinicians work and none
    of them nor the patient is busy (with the clinicians' largest buffer). None when there is
    none, including when a clinician has set no availability (their hours are unknown)."""
    if end <= start:
        return None
    try:
        schedules, busy, buffer = await _inputs(conn, clinician_ids, patient_id, start, end)
    except UnknownSchedule:
        return None
    return earliest_slot(schedules, busy, length, start, end, buffer=buffer, step=STEP)
