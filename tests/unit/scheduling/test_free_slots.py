"""Common free slots: every clinician works, nobody is busy, on a UTC-aligned grid."""

import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.scheduling.domain.availability import (
    AvailabilityException,
    Interval,
    Schedule,
    WeeklyHours,
    earliest_slot,
    free_slots,
)
from tests.unit.scheduling.builders import (
    BERLIN,
    HALF_HOUR,
    NEW_YORK,
    hours,
    schedule,
    starts,
    utc,
)

MONDAY = (utc(1, 12), utc(1, 13))  # 2026-01-12, a winter Monday


def first_per_day(slots: list[Interval]) -> list[str]:
    seen: dict[str, str] = {}
    for label in starts(slots):
        seen.setdefault(label[:5], label)
    return list(seen.values())


def test_a_day_of_half_hour_slots_on_a_quarter_hour_grid() -> None:
    slots = free_slots([schedule()], [], HALF_HOUR, *MONDAY)
    assert slots[0] == (utc(1, 12, 8), utc(1, 12, 8, 30))
    assert slots[-1] == (utc(1, 12, 15, 30), utc(1, 12, 16))  # ends with the working day
    assert len(slots) == 31  # 08:00, 08:15, ... 15:30
    assert all(b - a == HALF_HOUR for a, b in slots)
    assert all(a.minute % 15 == 0 and a.tzinfo is UTC for a, _ in slots)


def test_slots_across_berlin_spring_forward() -> None:
    slots = free_slots([schedule()], [], HALF_HOUR, utc(3, 27), utc(3, 31))
    assert first_per_day(slots) == ["03-27 08:00", "03-28 08:00", "03-29 07:00", "03-30 07:00"]
    assert starts(slots).count("03-29 14:30") == 1  # 16:30 CEST, last of the Sunday
    assert "03-29 15:30" not in starts(slots)  # would be 17:30 CEST


def test_slots_across_berlin_fall_back() -> None:
    slots = free_slots([schedule()], [], HALF_HOUR, utc(10, 23), utc(10, 27))
    assert first_per_day(slots) == ["10-23 07:00", "10-24 07:00", "10-25 08:00", "10-26 08:00"]
    assert starts(slots)[-1] == "10-26 15:30"  # 16:30 CET


def test_slots_across_new_york_spring_forward_and_fall_back() -> None:
    spring = free_slots([schedule(NEW_YORK)], [], HALF_HOUR, utc(3, 7), utc(3, 9))
    fall = free_slots([schedule(NEW_YORK)], [], HALF_HOUR, utc(10, 31), utc(11, 2))
    assert first_per_day(spring) == ["03-07 14:00", "03-08 13:00"]
    assert first_per_day(fall) == ["10-31 13:00", "11-01 14:00"]


def test_two_clinicians_in_different_zones_only_get_the_overlap() -> None:
    berlin, new_york = schedule(BERLIN), schedule(NEW_YORK, clinician_id="c2")
    slots = free_slots([berlin, new_york], [], HALF_HOUR, *MONDAY)
    # Berlin works 08:00-16:00 UTC, New York 14:00-22:00 UTC.
    assert starts(slots) == [f"01-12 {t}" for t in ("14:00", "14:15", "14:30", "14:45",
                                                     "15:00", "15:15", "15:30")]  # fmt: skip


def test_the_overlap_grows_while_only_the_us_is_on_summer_time() -> None:
    # 2026-03-09..28: New York already on EDT (13:00-21:00 UTC), Berlin still on CET.
    both = [schedule(BERLIN), schedule(NEW_YORK, clinician_id="c2")]
    slots = free_slots(both, [], timedelta(hours=3), utc(3, 16), utc(3, 17))
    assert slots == [(utc(3, 16, 13), utc(3, 16, 16))]
    assert free_slots(both, [], timedelta(hours=3), *MONDAY) == []


def test_no_overlap_no_slot() -> None:
    mornings = schedule(BERLIN, hours("08:00", "10:00"))
    afternoons = schedule(BERLIN, hours("13:00", "17:00"), clinician_id="c2")
    assert free_slots([mornings, afternoons], [], HALF_HOUR, *MONDAY) == []
    assert earliest_slot([mornings, afternoons], [], HALF_HOUR, *MONDAY) is None


def test_a_busy_visit_plus_buffer_blocks_adjacent_slots() -> None:
    visit = (utc(1, 12, 10), utc(1, 12, 10, 30))
    plain = starts(free_slots([schedule()], [visit], HALF_HOUR, *MONDAY))
    buffered = starts(
        free_slots([schedule()], [visit], HALF_HOUR, *MONDAY, buffer=timedelta(minutes=10))
    )
    assert {"01-12 09:30", "01-12 10:30"} <= set(plain)  # back to back is fine without buffer
    assert {"01-12 09:45", "01-12 10:00", "01-12 10:15"}.isdisjoint(plain)
    # With 10 minutes: a slot must end by 09:50 and start from 10:40.
    assert "01-12 09:15" in buffered
    assert "01-12 10:45" in buffered
    assert {"01-12 09:30", "01-12 10:30"}.isdisjoint(buffered)
    assert len(plain) - len(buffered) == 2


def test_the_patients_busy_time_blocks_too() -> None:
    # Neither clinician has a visit; the patient has a physiotherapy session in local time.
    patient = (
        datetime(2026, 1, 12, 9, 0, tzinfo=BERLIN),
        datetime(2026, 1, 12, 12, 0, tzinfo=BERLIN),
    )
    slots = free_slots([schedule()], [patient], HALF_HOUR, *MONDAY)
    assert starts(slots)[0] == "01-12 11:00"  # 12:00 Berlin


def test_overlapping_busy_intervals_of_several_people_merge() -> None:
    busy = [
        (utc(1, 12, 8), utc(1, 12, 9)),
        (utc(1, 12, 8, 30), utc(1, 12, 10)),  # overlaps the first
        (utc(1, 12, 10), utc(1, 12, 15, 45)),  # touches the second
    ]
    assert free_slots([schedule()], busy, timedelta(minutes=15), *MONDAY) == [
        (utc(1, 12, 15, 45), utc(1, 12, 16))
    ]


def test_grid_is_aligned_to_utc_not_to_the_window() -> None:
    slots = free_slots([schedule()], [], HALF_HOUR, utc(1, 12, 8, 7), utc(1, 12, 9, 10))
    assert starts(slots) == ["01-12 08:15", "01-12 08:30"]
    hourly = free_slots([schedule()], [], HALF_HOUR, *MONDAY, step=timedelta(hours=1))
    assert starts(hourly)[:2] == ["01-12 08:00", "01-12 09:00"]


def test_half_hour_zone_starts_on_its_local_hour() -> None:
    kolkata = schedule(ZoneInfo("Asia/Kolkata"))  # UTC+5:30: 09:00 is 03:30 UTC
    assert earliest_slot([kolkata], [], HALF_HOUR, *MONDAY) == (utc(1, 12, 3, 30), utc(1, 12, 4))


def test_limit_returns_the_earliest_slots() -> None:
    week = (utc(1, 12), utc(1, 19))
    every = free_slots([schedule()], [], HALF_HOUR, *week)
    assert free_slots([schedule()], [], HALF_HOUR, *week, limit=3) == every[:3]
    assert free_slots([schedule()], [], HALF_HOUR, *week, limit=0) == []
    assert len(free_slots([schedule()], [], HALF_HOUR, *week, limit=10_000)) == len(every) == 217


def test_earliest_slot_skips_busy_days_and_leave() -> None:
    monday_leave = AvailabilityException("leave", utc(1, 12), utc(1, 13))
    tuesday_full = (utc(1, 13, 8), utc(1, 13, 16))
    slot = earliest_slot(
        [schedule(BERLIN, None, monday_leave)], [tuesday_full], HALF_HOUR, utc(1, 12), utc(1, 19)
    )
    assert slot == (utc(1, 14, 8), utc(1, 14, 8, 30))


def test_slot_longer_than_any_free_gap() -> None:
    assert free_slots([schedule()], [], timedelta(hours=9), *MONDAY) == []


# --- validation ---------------------------------------------------------------------------


def test_naive_window_is_rejected() -> None:
    with pytest.raises(ValueError, match="naive"):
        free_slots([schedule()], [], HALF_HOUR, datetime(2026, 1, 12), utc(1, 13))
    with pytest.raises(ValueError, match="naive"):
        earliest_slot([schedule()], [], HALF_HOUR, utc(1, 12), datetime(2026, 1, 13))


def test_empty_window_is_rejected() -> None:
    with pytest.raises(ValueError, match="after start"):
        free_slots([schedule()], [], HALF_HOUR, utc(1, 13), utc(1, 13))


@pytest.mark.parametrize("length", [timedelta(0), timedelta(minutes=-30)])
def test_length_must_be_positive(length: timedelta) -> None:
    with pytest.raises(ValueError, match="length"):
        free_slots([schedule()], [], length, *MONDAY)
    with pytest.raises(ValueError, match="length"):
        earliest_slot([schedule()], [], length, *MONDAY)


def test_other_parameters_are_checked() -> None:
    with pytest.raises(ValueError, match="step"):
        free_slots([schedule()], [], HALF_HOUR, *MONDAY, step=timedelta(0))
    with pytest.raises(ValueError, match="buffer"):
        free_slots([schedule()], [], HALF_HOUR, *MONDAY, buffer=timedelta(minutes=-5))
    with pytest.raises(ValueError, match="limit"):
        free_slots([schedule()], [], HALF_HOUR, *MONDAY, limit=-1)
    with pytest.raises(ValueError, match="schedule"):
        free_slots([], [], HALF_HOUR, *MONDAY)


def test_busy_intervals_are_checked() -> None:
    with pytest.raises(ValueError, match="busy interval 1"):
        free_slots([schedule()], [MONDAY, (utc(1, 12, 10), utc(1, 12, 9))], HALF_HOUR, *MONDAY)
    with pytest.raises(ValueError, match="naive"):
        free_slots([schedule()], [(datetime(2026, 1, 12, 9), utc(1, 12, 10))], HALF_HOUR, *MONDAY)


# --- against a brute-force minute check ---------------------------------------------------


def brute_force(
    schedules: list[Schedule], busy: list[Interval], length: timedelta, buffer: timedelta,
    start: datetime, end: datetime,
) -> list[Interval]:  # fmt: skip
    """Every 15-minute start whose every minute is worked by all and blocked by nobody."""

    def works(s: Schedule, instant: datetime) -> bool:
        local = instant.astimezone(s.zone)
        weekly = any(
            w.weekday == local.weekday() and w.start <= local.time() < w.end for w in s.weekly
        )
        on = [e for e in s.exceptions if e.starts_at <= instant < e.ends_at]
        return (weekly or any(e.kind == "extra" for e in on)) and all(e.kind != "leave" for e in on)

    def free(instant: datetime) -> bool:
        return all(works(s, instant) for s in schedules) and not any(
            a - buffer <= instant < b + buffer for a, b in busy
        )

    minute = timedelta(minutes=1)
    total = (end - start) // minute
    ok = [free(start + i * minute) for i in range(total)]
    span = length // minute
    return [
        (start + i * minute, start + (i + span) * minute)
        for i in range(0, total - span + 1, 15)
        if all(ok[i : i + span])
    ]


def random_schedule(rng: random.Random, zone: ZoneInfo, name: str) -> Schedule:
    def at(quarter: int) -> time:
        return time(quarter // 4, quarter % 4 * 15)

    weekly = []
    for day in range(7):
        for _ in range(rng.randint(0, 2)):
            a = rng.randint(0, 90)
            weekly.append(WeeklyHours(day, at(a), at(min(95, a + rng.randint(1, 40)))))
    exceptions = []
    for _ in range(rng.randint(0, 3)):
        begins = utc(1, 12) + timedelta(minutes=5 * rng.randint(0, 600))
        ends = begins + timedelta(minutes=5 * rng.randint(1, 100))
        exceptions.append(AvailabilityException(rng.choice(["leave", "extra"]), begins, ends))
    return Schedule(name, zone, tuple(weekly), tuple(exceptions))


@pytest.mark.parametrize("seed", range(40))
def test_matches_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    zones = [BERLIN, NEW_YORK, ZoneInfo("Asia/Kolkata")]
    people = [random_schedule(rng, rng.choice(zones), f"c{i}") for i in range(rng.randint(1, 2))]
    busy = []
    for _ in range(rng.randint(0, 8)):
        a = utc(1, 12) + timedelta(minutes=5 * rng.randint(0, 550))
        busy.append((a, a + timedelta(minutes=5 * rng.randint(1, 24))))
    length = timedelta(minutes=rng.choice([15, 30, 45, 60]))
    buffer = timedelta(minutes=rng.choice([0, 5, 10]))
    window = (utc(1, 12, 2), utc(1, 13, 22))
    expected = brute_force(people, busy, length, buffer, *window)
    assert free_slots(people, busy, length, *window, buffer=buffer) == expected
    assert earliest_slot(people, busy, length, *window, buffer=buffer) == (
        expected[0] if expected else None
    )
