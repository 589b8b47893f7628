"""Benchmark of the scheduling slot search: ms to find common free slots over a month.

    python bench/slots_bench.py [--runs 50] [--visits 40]

Two clinicians (seeded, so runs compare): a headache specialist in Europe/Berlin working
Monday-Friday 08:00-12:30 and 13:30-17:00, and a psychiatrist in Europe/London working
Monday-Thursday 09:00-18:00 and Friday mornings, each with a few days of leave, one extra
Saturday, and about `--visits` booked visits (30-60 min) in the month; the patient has a
handful of appointments of their own. The month is March 2026, across both zones' change
to summer time on 2026-03-29. Timed: all 30-minute slots with a 10-minute buffer (what the
booking page lists), and the earliest common slot (what "book the next joint review" asks).
"""

import argparse
import random
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.core.stats import percentile, time_calls
from services.scheduling.domain.availability import (
    AvailabilityException,
    Interval,
    Schedule,
    WeeklyHours,
    earliest_slot,
    free_slots,
    working_intervals,
)

BERLIN = ZoneInfo("Europe/Berlin")
LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 3, 1, tzinfo=UTC)
END = datetime(2026, 4, 1, tzinfo=UTC)
LENGTH = timedelta(minutes=30)
BUFFER = timedelta(minutes=10)
GOAL_MS = 50.0


def weekly(days: range | tuple[int, ...], *spans: tuple[str, str]) -> list[WeeklyHours]:
    return [
        WeeklyHours(d, clock.fromisoformat(a), clock.fromisoformat(b))
        for d in days
        for a, b in spans
    ]


def leave_days(zone: ZoneInfo, *days: date) -> list[AvailabilityException]:
    local = [datetime.combine(d, clock(), tzinfo=zone) for d in days]
    return [AvailabilityException("leave", d, d + timedelta(days=1)) for d in local]


def build_schedules() -> list[Schedule]:
    specialist = Schedule(
        "headache-specialist",
        BERLIN,
        tuple(weekly(range(5), ("08:00", "12:30"), ("13:30", "17:00"))),
        (
            *leave_days(BERLIN, date(2026, 3, 9), date(2026, 3, 10), date(2026, 3, 11)),
            AvailabilityException(
                "extra",
                datetime(2026, 3, 21, 9, tzinfo=BERLIN),
                datetime(2026, 3, 21, 13, tzinfo=BERLIN),
            ),
        ),
    )
    psychiatrist = Schedule(
        "psychiatrist",
        LONDON,
        tuple(weekly(range(4), ("09:00", "18:00")) + weekly((4,), ("09:00", "13:00"))),
        (
            *leave_days(LONDON, date(2026, 3, 18), date(2026, 3, 19)),
            AvailabilityException(
                "extra",
                datetime(2026, 3, 21, 10, tzinfo=LONDON),
                datetime(2026, 3, 21, 12, tzinfo=LONDON),
            ),
        ),
    )
    return [specialist, psychiatrist]


def build_busy(schedules: list[Schedule], visits: int, rng: random.Random) -> list[Interval]:
    """`visits` visits per clinician inside their working hours, plus the patient's own."""
    busy: list[Interval] = []
    for schedule in schedules:
        working = working_intervals(schedule, START, END)
        for _ in range(visits):
            start, end = rng.choice(working)
            quarters = max(0, (end - start) // timedelta(minutes=15) - 4)
            begins = start + timedelta(minutes=15 * rng.randint(0, quarters))
            busy.append((begins, begins + timedelta(minutes=rng.choice((30, 30, 45, 60)))))
    for _ in range(6):  # the patient's work meetings and other appointments
        day = START + timedelta(days=rng.randint(0, 30), hours=rng.randint(7, 15))
        busy.append((day, day + timedelta(hours=rng.choice((1, 2)))))
    return busy


def searches(
    schedules: list[Schedule], busy: list[Interval]
) -> list[tuple[str, Callable[[], object]]]:
    """What is timed; names starting with a space are context, not held to the goal."""
    return [
        (
            "free slots for two clinicians over a month (30-min, buffer 10 min)",
            lambda: free_slots(schedules, busy, LENGTH, START, END, buffer=BUFFER),
        ),
        (
            "earliest common slot",
            lambda: earliest_slot(schedules, busy, LENGTH, START, END, buffer=BUFFER),
        ),
        ("  (working intervals of one clinician, a month)",
         lambda: working_intervals(schedules[0], START, END)),
    ]  # fmt: skip


def timed(work: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median and 95th percentile ms over `runs` after one warm-up."""
    samples = time_calls(work, runs)
    return percentile(samples, 50), percentile(samples, 95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--visits", type=int, default=40)
    args = parser.parse_args()
    rng = random.Random(2026)  # noqa: S311 - seeded test data, not security
    schedules = build_schedules()
    busy = build_busy(schedules, args.visits, rng)
    slots = free_slots(schedules, busy, LENGTH, START, END, buffer=BUFFER)
    first = earliest_slot(schedules, busy, LENGTH, START, END, buffer=BUFFER)
    print(
        f"March 2026, {len(schedules)} clinicians (Berlin, London), {len(busy)} busy intervals: "
        f"{len(slots)} common 30-min slots, earliest {first and first[0].isoformat()}"
    )
    parts = searches(schedules, busy)
    worst = 0.0
    for name, work in parts:
        median, p95 = timed(work, args.runs)
        if not name.startswith(" "):
            worst = max(worst, p95)
        print(f"{name:<68} median {median:7.3f} ms  p95 {p95:7.3f} ms")
    verdict = "meets" if worst < GOAL_MS else "MISSES"
    print(f"goal: < {GOAL_MS:.0f} ms per search; worst p95 {worst:.3f} ms ({verdict} the goal)")


if __name__ == "__main__":
    main()
