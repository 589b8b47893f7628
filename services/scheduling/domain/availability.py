"""Clinicians' availability and the search for a common free slot. Pure: no I/O.

A `Schedule` is a clinician's recurring weekly hours in their own time zone plus one-off
exceptions: "leave" (not available) and "extra" hours. `working_intervals` turns it into
concrete UTC intervals; `free_slots` / `earliest_slot` find slots of a given length when
every participating clinician works and no participant (clinicians and patient) is busy.

Daylight saving time. Weekly hours are wall-clock times, so they are placed on each local
calendar day separately: 09:00-17:00 Europe/Berlin is 08:00-16:00 UTC in winter (CET,
UTC+1) and 07:00-15:00 UTC in summer (CEST, UTC+2). A wall time is resolved with
`datetime.combine(day, t, tzinfo=zone)` and this rule (`local_instant`):

* a wall time that exists once is that instant;
* a wall time in the spring-forward gap (02:30 on 2026-03-29 in Berlin never happens) moves
  forward to the first instant that exists, the moment of the change (03:00 CEST, 01:00 UTC);
* an ambiguous wall time of the fall-back night (02:30 on 2026-10-25 in Berlin happens twice)
  is its first occurrence, `fold=0` (02:30 CEST, 00:30 UTC).

Both ends of a day's hours are resolved this way and the interval between them is real
elapsed time, so a working day across a change has its true length: 00:00-06:00 local is
7 hours on the fall-back night and 5 hours on the spring-forward night.

All results are in UTC; inputs may be in any zone but must be aware.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from services.scheduling.domain.intervals import (
    Interval,
    clip,
    intersect,
    merge,
    subtract,
    to_utc,
)

__all__ = [
    "EXCEPTION_KINDS",
    "EXTRA",
    "LEAVE",
    "AvailabilityException",
    "Interval",
    "Schedule",
    "WeeklyHours",
    "earliest_slot",
    "free_slots",
    "local_instant",
    "working_intervals",
]

LEAVE = "leave"  # not available (holiday, sick leave, training)
EXTRA = "extra"  # one-off hours on top of the weekly ones
EXCEPTION_KINDS = frozenset({LEAVE, EXTRA})
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # slot starts are aligned to `step` from here
ONE_DAY = timedelta(days=1)
ONE_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class WeeklyHours:
    """Recurring hours in the clinician's own time zone, e.g. Mondays 09:00-17:00."""

    weekday: int  # 0 = Monday .. 6 = Sunday
    start: time  # local wall-clock time, naive
    end: time  # local, > start: no overnight shifts (split them into two days' hours)

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {self.weekday}")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("weekly hours are naive local wall-clock times (no tzinfo)")
        if self.end <= self.start:
            raise ValueError(
                f"weekly hours end {self.end.isoformat()} must be after start "
                f"{self.start.isoformat()} on the same day (no overnight shifts)"
            )


@dataclass(frozen=True, slots=True)
class AvailabilityException:
    """A one-off change: `leave` removes time, `extra` adds hours."""

    kind: str  # "leave" | "extra"
    starts_at: datetime  # aware
    ends_at: datetime  # aware, > starts_at

    def __post_init__(self) -> None:
        if self.kind not in EXCEPTION_KINDS:
            raise ValueError(
                f"exception kind must be one of {sorted(EXCEPTION_KINDS)}, got {self.kind!r}"
            )
        to_utc(self.starts_at, self.ends_at, f"{self.kind} exception")


@dataclass(frozen=True, slots=True)
class Schedule:
    clinician_id: str
    zone: ZoneInfo
    weekly: tuple[WeeklyHours, ...]
    exceptions: tuple[AvailabilityException, ...] = ()


def local_instant(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock `wall` on local `day` (the DST rule in the module doc)."""
    local = datetime.combine(day, wall.replace(fold=0), tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None):
        return instant  # exists (once, or the first of two occurrences with fold=0)
    # In a gap. With fold=0 the wall time is read with the offset from before the change
    # (an instant after it), with fold=1 with the offset from after (an instant before it):
    # the change lies in (before, instant]. Binary search, in microseconds, for the first
    # instant with the new offset; only gap times (a few a year) pay for it.
    before = local.replace(fold=1).astimezone(UTC)
    old_offset = before.astimezone(zone).utcoffset()
    low, high = 0, (instant - before) // ONE_MICROSECOND  # offset(low) old, offset(high) new
    while high - low > 1:
        middle = (low + high) // 2
        if (before + middle * ONE_MICROSECOND).astimezone(zone).utcoffset() == old_offset:
            low = middle
        else:
            high = middle
    return before + high * ONE_MICROSECOND


def working_intervals(schedule: Schedule, start: datetime, end: datetime) -> list[Interval]:
    """When the clinician works within [start, end): weekly hours turned into UTC per local
    calendar day (so 09:00-17:00 Berlin is 08:00-16:00 UTC in winter and 07:00-15:00 UTC in
    summer), plus extra hours, minus leave; merged, sorted, in UTC."""
    window_start, window_end = to_utc(start, end, "search window")
    return _working(schedule, window_start, window_end)


def _working(schedule: Schedule, start: datetime, end: datetime) -> list[Interval]:
    """`working_intervals` for a validated UTC window."""
    zone = schedule.zone
    by_weekday: dict[int, list[WeeklyHours]] = {}
    for hours in schedule.weekly:
        by_weekday.setdefault(hours.weekday, []).append(hours)
    worked: list[Interval] = []
    # A day's hours lie within that local day (no overnight shifts), so only the local days
    # the window touches can overlap it.
    day, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    while day <= last:
        for hours in by_weekday.get(day.weekday(), ()):
            shift = (local_instant(day, hours.start, zone), local_instant(day, hours.end, zone))
            if shift[0] < shift[1]:  # 02:00-02:30 on a spring-forward day never happens
                worked.append(shift)
        day += ONE_DAY
    extra: list[Interval] = []
    leave: list[Interval] = []
    for exception in schedule.exceptions:
        utc = (exception.starts_at.astimezone(UTC), exception.ends_at.astimezone(UTC))
        (extra if exception.kind == EXTRA else leave).append(utc)
    available = subtract(merge(worked + extra), merge(leave))
    return clip(available, start, end)


def free_slots(
    schedules: Sequence[Schedule],
    busy: Sequence[Interval],
    length: timedelta,
    start: datetime,
    end: datetime,
    *,
    buffer: timedelta = timedelta(0),
    step: timedelta = timedelta(minutes=15),
    limit: int | None = None,
) -> list[Interval]:
    """Slots of `length` inside [start, end) when ALL the schedules work and nobody is busy
    (busy intervals widened by `buffer` on both sides); earliest first, in UTC.

    `busy` holds the existing visits of every participant (clinicians and patient). Slot
    starts lie on a grid of `step` aligned to the UTC epoch (15 minutes is also aligned to
    the local quarter hours of every whole- and half-hour zone); consecutive slots may
    overlap (09:00-09:30, 09:15-09:45, ...): they are candidates, one of which is booked.
    At most `limit` slots are returned, the earliest ones.
    """
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be >= 0 or None, got {limit}")
    slots = _slots(schedules, busy, length, start, end, buffer=buffer, step=step)
    return list(slots if limit is None else islice(slots, limit))


def earliest_slot(
    schedules: Sequence[Schedule],
    busy: Sequence[Interval],
    length: timedelta,
    start: datetime,
    end: datetime,
    *,
    buffer: timedelta = timedelta(0),
    step: timedelta = timedelta(minutes=15),
) -> Interval | None:
    """The first slot `free_slots` would return, or None when there is none."""
    return next(_slots(schedules, busy, length, start, end, buffer=buffer, step=step), None)


def _slots(
    schedules: Sequence[Schedule],
    busy: Sequence[Interval],
    length: timedelta,
    start: datetime,
    end: datetime,
    *,
    buffer: timedelta,
    step: timedelta,
) -> Iterator[Interval]:
    """Validate eagerly, then yield slots lazily (so `earliest_slot` stops at the first)."""
    window_start, window_end = to_utc(start, end, "search window")
    if not schedules:
        raise ValueError("at least one schedule is needed (whose working hours to search)")
    if length <= timedelta(0):
        raise ValueError(f"slot length must be positive, got {length}")
    if step <= timedelta(0):
        raise ValueError(f"step must be positive, got {step}")
    if buffer < timedelta(0):
        raise ValueError(f"buffer must not be negative, got {buffer}")
    blocked = []
    for index, (busy_start, busy_end) in enumerate(busy):
        begins, ends = to_utc(busy_start, busy_end, f"busy interval {index}")
        blocked.append((begins - buffer, ends + buffer))
    common = _working(schedules[0], window_start, window_end)
    for schedule in schedules[1:]:
        common = intersect(common, _working(schedule, window_start, window_end))
    free = subtract(common, merge(blocked))
    return _on_grid(free, length, step)


def _on_grid(free: list[Interval], length: timedelta, step: timedelta) -> Iterator[Interval]:
    for free_start, free_end in free:
        # First grid point at or after free_start: ceiling division on timedeltas.
        slot_start = EPOCH - ((EPOCH - free_start) // step) * step
        while slot_start + length <= free_end:
            yield slot_start, slot_start + length
            slot_start += step
