"""Series a chart can draw over a period: per ISO week, the diary-day counts (measures.py
per week) and the check-in means; and each instrument's questionnaire totals.

Weeks are ISO weeks (Monday first) of local days. A week cut by the period's first or last day
counts only its days inside the period (`days` says how many), so the weekly counts add up to
the period's. Check-in means leave out unanswered fields; a week without any is None, never 0.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import fmean
from types import MappingProxyType

from services.diary.domain.clinical.days import DiaryDays
from services.diary.domain.clinical.facts import CheckinFacts, Instrument
from services.diary.domain.clinical.measures import TrendPoint, measures_between, trend_series
from services.diary.domain.clinical.questionnaires import ScoredQuestionnaire


@dataclass(frozen=True, slots=True, kw_only=True)
class WeekPoint:
    week: str  # ISO week, e.g. "2026-W14"
    first_day: date  # inside the period
    last_day: date
    days: int
    documented_days: int
    headache_days: int
    migraine_days: int
    acute_medication_days: int
    mean_peak_intensity: float | None  # 1 mild .. 3 severe, over the week's headache days
    checkin_days: int
    mean_mood: float | None  # 0 worst .. 10 best
    mean_stress: float | None  # 0 none .. 10 extreme
    mean_sleep_hours: float | None
    mean_sleep_quality: float | None


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return fmean(present) if present else None


def weekly_series(days: DiaryDays, first: date, last: date) -> tuple[WeekPoint, ...]:
    """One point per ISO week touching [first, last], oldest first."""
    if last < first:
        raise ValueError("the period ends before it starts")
    points = []
    week_start = first
    while week_start <= last:
        week_end = min(last, week_start + timedelta(days=6 - week_start.weekday()))
        m = measures_between(days, week_start, week_end)
        checkins = _checkins(days, week_start, week_end)
        points.append(
            WeekPoint(
                week=_iso_week(week_start),
                first_day=week_start,
                last_day=week_end,
                days=m.length_days,
                documented_days=m.documented_days,
                headache_days=m.headache_days,
                migraine_days=m.migraine_days,
                acute_medication_days=m.acute_medication_days,
                mean_peak_intensity=m.mean_peak_intensity,
                checkin_days=len(checkins),
                mean_mood=_mean(c.mood for c in checkins),
                mean_stress=_mean(c.stress for c in checkins),
                mean_sleep_hours=_mean(c.sleep_hours for c in checkins),
                mean_sleep_quality=_mean(c.sleep_quality for c in checkins),
            )
        )
        week_start = week_end + timedelta(days=1)
    return tuple(points)


def _checkins(days: DiaryDays, first: date, last: date) -> list[CheckinFacts]:
    found = []
    day = first
    while day <= last:
        checkin = days.checkins.get(day)
        if checkin is not None:
            found.append(checkin)
        day += timedelta(days=1)
    return found


def questionnaire_series(
    scored: Iterable[ScoredQuestionnaire], days: DiaryDays, first: date, last: date
) -> Mapping[Instrument, tuple[TrendPoint, ...]]:
    """Each instrument's totals completed in [first, last] (local days), oldest first."""
    series = trend_series(scored, days.zone)
    return MappingProxyType(
        {
            instrument: tuple(p for p in points if first <= p.day <= last)
            for instrument, points in series.items()
        }
    )
