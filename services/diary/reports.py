"""Use cases: what the care team reads about one patient. A period summary (measures, alerts,
medication changes, preventive effects, weekly trends) and the preventive effects alone.

Read-only; the diary is bucketed once per request (alerting.summarise) and every window is
cut from that, in the patient's time zone.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from services.diary.adapters import medication_repository, repository
from services.diary.alerting import summarise
from services.diary.domain.clinical.days import DiaryDays
from services.diary.domain.clinical.facts import Instrument
from services.diary.domain.clinical.measures import TrendPoint, WindowMeasures, measures_between
from services.diary.domain.clinical.preventive_effect import PreventiveEffect, preventive_effects
from services.diary.domain.clinical.questionnaires import ScoredQuestionnaire
from services.diary.domain.clinical.trends import WeekPoint, questionnaire_series, weekly_series
from services.diary.domain.prescriptions import MedicationChange
from shared.db import Connection

DEFAULT_PERIOD_DAYS = 90
MAX_PERIOD_DAYS = 3660  # ten years, as /measures allows


class InvalidPeriod(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredAlert:
    alert_id: UUID
    kind: str
    priority: str
    episode_key: str
    evidence: dict[str, Any]
    raised_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientRecord:
    days: DiaryDays
    questionnaires: tuple[ScoredQuestionnaire, ...]
    changes: tuple[MedicationChange, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PeriodSummary:
    patient_id: str
    time_zone: str
    first_day: date
    last_day: date
    measures: WindowMeasures
    alerts: tuple[StoredAlert, ...]
    medication_changes: tuple[MedicationChange, ...]
    preventive_effects: tuple[PreventiveEffect, ...]
    weekly: tuple[WeekPoint, ...]
    questionnaires: dict[Instrument, tuple[TrendPoint, ...]]


async def load(conn: Connection, patient_id: str, *, now: datetime) -> PatientRecord:
    days, summary = await summarise(conn, patient_id, now=now)
    changes = await medication_repository.changes_for(conn, patient_id)
    return PatientRecord(days=days, questionnaires=summary.questionnaires, changes=tuple(changes))


def resolve_period(through: date, first: date | None, last: date | None) -> tuple[date, date]:
    """Defaults: the last DEFAULT_PERIOD_DAYS days ending today (the patient's today)."""
    last = through if last is None else last
    first = last - timedelta(days=DEFAULT_PERIOD_DAYS - 1) if first is None else first
    if first > last:
        raise InvalidPeriod("from", f"must not be after the period's end ({last.isoformat()})")
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise InvalidPeriod("from", f"the period may span at most {MAX_PERIOD_DAYS} days")
    return first, last


async def period_summary(
    conn: Connection, patient_id: str, *, first: date | None, last: date | None, now: datetime
) -> PeriodSummary:
    record = await load(conn, patient_id, now=now)
    days = record.days
    first, last = resolve_period(days.through, first, last)
    zone = days.zone

    def inside(moment: datetime) -> bool:
        return first <= moment.astimezone(zone).date() <= last

    alerts = tuple(
        StoredAlert(**dict(row))
        for row in await repository.alerts_for(conn, patient_id)
        if inside(row["raised_at"])
    )
    # An effect belongs to the period when its baseline..week-12 span overlaps it.
    effects = tuple(
        e
        for e in preventive_effects(days, record.changes)
        if e.span[0] <= last and e.span[1] >= first
    )
    return PeriodSummary(
        patient_id=patient_id,
        time_zone=zone.key,
        first_day=first,
        last_day=last,
        measures=measures_between(days, first, last),
        alerts=alerts,
        medication_changes=tuple(c for c in record.changes if inside(c.effective_at)),
        preventive_effects=effects,
        weekly=weekly_series(days, first, last),
        questionnaires=dict(questionnaire_series(record.questionnaires, days, first, last)),
    )


async def all_preventive_effects(
    conn: Connection, patient_id: str, *, now: datetime
) -> tuple[date, tuple[PreventiveEffect, ...]]:
    """(the patient's today, every preventive's effect, oldest first)."""
    record = await load(conn, patient_id, now=now)
    return record.days.through, preventive_effects(record.days, record.changes)
