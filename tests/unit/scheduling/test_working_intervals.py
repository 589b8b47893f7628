"""Weekly hours, leave and extra hours turned into UTC working intervals, across DST."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.scheduling.domain.availability import (
    AvailabilityException,
    WeeklyHours,
    local_instant,
    working_intervals,
)
from tests.unit.scheduling.builders import BERLIN, NEW_YORK, hours, schedule, utc

MONDAY_TO_FRIDAY = hours("09:00", "17:00", 0, 1, 2, 3, 4)


def test_berlin_hours_are_08_to_16_utc_in_winter() -> None:
    week = working_intervals(schedule(BERLIN, MONDAY_TO_FRIDAY), utc(1, 12), utc(1, 19))
    assert week == [(utc(1, d, 8), utc(1, d, 16)) for d in range(12, 17)]  # Mon-Fri only


def test_berlin_hours_are_07_to_15_utc_in_summer() -> None:
    week = working_intervals(schedule(BERLIN, MONDAY_TO_FRIDAY), utc(7, 6), utc(7, 13))
    assert week == [(utc(7, d, 7), utc(7, d, 15)) for d in range(6, 11)]


def test_new_york_hours_move_by_an_hour_in_summer() -> None:
    winter = working_intervals(schedule(NEW_YORK, MONDAY_TO_FRIDAY), utc(1, 12), utc(1, 13))
    summer = working_intervals(schedule(NEW_YORK, MONDAY_TO_FRIDAY), utc(7, 6), utc(7, 7))
    assert winter == [(utc(1, 12, 14), utc(1, 12, 22))]  # EST, UTC-5
    assert summer == [(utc(7, 6, 13), utc(7, 6, 21))]  # EDT, UTC-4


def test_results_are_in_utc_whatever_the_zone_of_the_window() -> None:
    start = datetime(2026, 1, 12, 0, 0, tzinfo=BERLIN)  # 2026-01-11 23:00 UTC
    intervals = working_intervals(schedule(), start, start + timedelta(days=1))
    assert intervals == [(utc(1, 12, 8), utc(1, 12, 16))]
    assert all(s.tzinfo is UTC and e.tzinfo is UTC for s, e in intervals)


def test_the_window_clips_the_hours() -> None:
    assert working_intervals(schedule(), utc(1, 12, 10), utc(1, 12, 12, 30)) == [
        (utc(1, 12, 10), utc(1, 12, 12, 30))
    ]
    assert working_intervals(schedule(), utc(1, 12, 16), utc(1, 13, 8)) == []


def test_split_and_overlapping_weekly_hours_merge() -> None:
    weekly = (
        *hours("09:00", "12:00", 0),
        *hours("11:00", "13:00", 0),
        *hours("13:00", "14:00", 0),  # touching: one interval
        *hours("15:00", "17:00", 0),
    )
    assert working_intervals(schedule(BERLIN, weekly), utc(1, 12), utc(1, 13)) == [
        (utc(1, 12, 8), utc(1, 12, 13)),
        (utc(1, 12, 14), utc(1, 12, 16)),
    ]


def test_zone_far_from_utc_keeps_hours_on_their_local_day() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")  # UTC+9: Monday 09:00 is Monday 00:00 UTC
    monday = working_intervals(schedule(tokyo, hours("09:00", "17:00", 0)), utc(1, 11), utc(1, 19))
    assert monday == [(utc(1, 12, 0), utc(1, 12, 8))]


# --- daylight saving time -----------------------------------------------------------------


def test_every_day_hours_across_berlin_spring_forward() -> None:
    # Clocks go 02:00 -> 03:00 on Sunday 2026-03-29.
    days = working_intervals(schedule(), utc(3, 27), utc(3, 31))
    assert days == [
        (utc(3, 27, 8), utc(3, 27, 16)),
        (utc(3, 28, 8), utc(3, 28, 16)),
        (utc(3, 29, 7), utc(3, 29, 15)),
        (utc(3, 30, 7), utc(3, 30, 15)),
    ]


def test_every_day_hours_across_berlin_fall_back() -> None:
    # Clocks go 03:00 -> 02:00 on Sunday 2026-10-25.
    days = working_intervals(schedule(), utc(10, 24), utc(10, 26))
    assert days == [(utc(10, 24, 7), utc(10, 24, 15)), (utc(10, 25, 8), utc(10, 25, 16))]


def test_every_day_hours_across_new_york_changes() -> None:
    spring = working_intervals(schedule(NEW_YORK), utc(3, 7), utc(3, 9))
    fall = working_intervals(schedule(NEW_YORK), utc(10, 31), utc(11, 2))
    assert spring == [(utc(3, 7, 14), utc(3, 7, 22)), (utc(3, 8, 13), utc(3, 8, 21))]
    assert fall == [(utc(10, 31, 13), utc(10, 31, 21)), (utc(11, 1, 14), utc(11, 1, 22))]


def test_night_hours_have_their_real_length_on_change_days() -> None:
    night = schedule(BERLIN, hours("00:00", "06:00", 6))  # Sundays
    (fall,) = working_intervals(night, utc(10, 24), utc(10, 26))
    (spring,) = working_intervals(night, utc(3, 28), utc(3, 30))
    (ordinary,) = working_intervals(night, utc(1, 17), utc(1, 19))
    assert fall == (utc(10, 24, 22), utc(10, 25, 5))  # 00:00 CEST .. 06:00 CET
    assert fall[1] - fall[0] == timedelta(hours=7)
    assert spring == (utc(3, 28, 23), utc(3, 29, 4))  # 00:00 CET .. 06:00 CEST
    assert spring[1] - spring[0] == timedelta(hours=5)
    assert ordinary[1] - ordinary[0] == timedelta(hours=6)


def test_wall_time_in_the_gap_moves_forward_to_the_change() -> None:
    # 02:30 does not exist on 2026-03-29 in Berlin: the first existing instant is 03:00 CEST.
    assert local_instant(date(2026, 3, 29), time(2, 30), BERLIN) == utc(3, 29, 1)
    assert local_instant(date(2026, 3, 29), time(2, 0), BERLIN) == utc(3, 29, 1)
    assert local_instant(date(2026, 3, 29), time(3, 0), BERLIN) == utc(3, 29, 1)
    assert local_instant(date(2026, 3, 29), time(1, 59), BERLIN) == utc(3, 29, 0, 59)
    assert local_instant(date(2026, 3, 8), time(2, 30), NEW_YORK) == utc(3, 8, 7)  # 03:00 EDT
    # A half-hour change: Lord Howe Island goes 02:00 (UTC+10:30) -> 02:30 (UTC+11).
    lord_howe = ZoneInfo("Australia/Lord_Howe")
    assert local_instant(date(2026, 10, 4), time(2, 15), lord_howe) == utc(10, 3, 15, 30)


def test_ambiguous_wall_time_is_its_first_occurrence() -> None:
    # 02:30 happens twice on 2026-10-25 in Berlin: first in CEST (00:30 UTC), then in CET.
    assert local_instant(date(2026, 10, 25), time(2, 30), BERLIN) == utc(10, 25, 0, 30)
    assert local_instant(date(2026, 10, 25), time(2, 30, fold=1), BERLIN) == utc(10, 25, 0, 30)
    assert local_instant(date(2026, 11, 1), time(1, 30), NEW_YORK) == utc(11, 1, 5, 30)  # EDT


def test_hours_starting_in_the_gap_start_at_the_change() -> None:
    early = schedule(BERLIN, hours("02:30", "04:00", 6))
    assert working_intervals(early, utc(3, 28), utc(3, 30)) == [(utc(3, 29, 1), utc(3, 29, 2))]


def test_hours_entirely_in_the_gap_vanish_that_day_only() -> None:
    lost = schedule(BERLIN, hours("02:00", "02:45", 6))
    assert working_intervals(lost, utc(3, 28), utc(3, 30)) == []
    assert working_intervals(lost, utc(4, 4), utc(4, 6)) == [(utc(4, 5, 0), utc(4, 5, 0, 45))]


def test_a_day_that_starts_with_a_gap_at_midnight() -> None:
    # Santiago skips 00:00-01:00 on 2026-09-06: the local day begins at 01:00 (-03, 04:00 UTC).
    santiago = ZoneInfo("America/Santiago")
    night = schedule(santiago, hours("00:00", "06:00", 6))
    assert working_intervals(night, utc(9, 6, 4), utc(9, 7)) == [(utc(9, 6, 4), utc(9, 6, 9))]


def test_hours_ending_in_the_repeated_hour_end_at_its_first_occurrence() -> None:
    late = schedule(BERLIN, hours("01:00", "02:30", 6))
    assert working_intervals(late, utc(10, 24), utc(10, 26)) == [
        (utc(10, 24, 23), utc(10, 25, 0, 30))
    ]


# --- exceptions ---------------------------------------------------------------------------


def leave(start: datetime, end: datetime) -> AvailabilityException:
    return AvailabilityException("leave", start, end)


def extra(start: datetime, end: datetime) -> AvailabilityException:
    return AvailabilityException("extra", start, end)


def test_leave_removes_a_whole_local_day() -> None:
    wednesday = datetime(2026, 1, 14, tzinfo=BERLIN)
    on_leave = schedule(BERLIN, MONDAY_TO_FRIDAY, leave(wednesday, wednesday + timedelta(days=1)))
    days = working_intervals(on_leave, utc(1, 12), utc(1, 17))
    assert [s.day for s, _ in days] == [12, 13, 15, 16]


def test_partial_leave_splits_a_day() -> None:
    lunch = leave(
        datetime(2026, 1, 12, 12, tzinfo=BERLIN), datetime(2026, 1, 12, 13, tzinfo=BERLIN)
    )
    assert working_intervals(schedule(BERLIN, MONDAY_TO_FRIDAY, lunch), utc(1, 12), utc(1, 13)) == [
        (utc(1, 12, 8), utc(1, 12, 11)),
        (utc(1, 12, 12), utc(1, 12, 16)),
    ]


def test_extra_hours_add_a_saturday_and_extend_a_friday() -> None:
    saturday = extra(
        datetime(2026, 1, 17, 10, tzinfo=BERLIN), datetime(2026, 1, 17, 14, tzinfo=BERLIN)
    )
    late_friday = extra(utc(1, 16, 15), utc(1, 16, 18))
    busy_week = schedule(BERLIN, MONDAY_TO_FRIDAY, saturday, late_friday)
    assert working_intervals(busy_week, utc(1, 16), utc(1, 18)) == [
        (utc(1, 16, 8), utc(1, 16, 18)),
        (utc(1, 17, 9), utc(1, 17, 13)),
    ]


def test_leave_wins_over_extra_hours() -> None:
    both = schedule(
        BERLIN, (), extra(utc(1, 17, 9), utc(1, 17, 13)), leave(utc(1, 17, 11), utc(1, 18))
    )
    assert working_intervals(both, utc(1, 17), utc(1, 18)) == [(utc(1, 17, 9), utc(1, 17, 11))]


# --- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize("weekday", [-1, 7])
def test_weekday_out_of_range(weekday: int) -> None:
    with pytest.raises(ValueError, match="weekday"):
        WeeklyHours(weekday, time(9), time(17))


@pytest.mark.parametrize("end", [time(9), time(8), time(0)])
def test_weekly_hours_must_end_after_they_start(end: time) -> None:
    with pytest.raises(ValueError, match="overnight"):
        WeeklyHours(0, time(9), end)


def test_weekly_hours_are_naive_wall_times() -> None:
    with pytest.raises(ValueError, match="naive"):
        WeeklyHours(0, time(9, tzinfo=UTC), time(17, tzinfo=UTC))


def test_unknown_exception_kind() -> None:
    with pytest.raises(ValueError, match="kind"):
        AvailabilityException("holiday", utc(1, 1), utc(1, 2))


def test_exception_must_be_aware_and_not_empty() -> None:
    with pytest.raises(ValueError, match="naive"):
        AvailabilityException("leave", datetime(2026, 1, 1), utc(1, 2))
    with pytest.raises(ValueError, match="after start"):
        AvailabilityException("extra", utc(1, 2), utc(1, 2))


def test_window_must_be_aware_and_not_empty() -> None:
    with pytest.raises(ValueError, match="naive"):
        working_intervals(schedule(), datetime(2026, 1, 1), utc(1, 2))
    with pytest.raises(ValueError, match="after start"):
        working_intervals(schedule(), utc(1, 2), utc(1, 1))
