"""Schedules and instants for the availability tests."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.scheduling.domain.availability import (
    AvailabilityException,
    Interval,
    Schedule,
    WeeklyHours,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
HALF_HOUR = timedelta(minutes=30)


def utc(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def hours(start: str, end: str, *weekdays: int) -> tuple[WeeklyHours, ...]:
    """The same hours on `weekdays` (every day when none are given)."""
    days = weekdays or tuple(range(7))
    return tuple(WeeklyHours(d, time.fromisoformat(start), time.fromisoformat(end)) for d in days)


def schedule(
    zone: ZoneInfo = BERLIN,
    weekly: tuple[WeeklyHours, ...] | None = None,
    *exceptions: AvailabilityException,
    clinician_id: str = "c1",
) -> Schedule:
    """09:00-17:00 local every day unless `weekly` says otherwise."""
    return Schedule(clinician_id, zone, hours("09:00", "17:00") if weekly is None else weekly,
                    exceptions)  # fmt: skip


def starts(slots: list[Interval]) -> list[str]:
    """Slot starts as 'MM-DD HH:MM' in UTC, easy to read in an assertion."""
    return [s.astimezone(UTC).strftime("%m-%d %H:%M") for s, _ in slots]
