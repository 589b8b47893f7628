"""Diary endpoints over a window, questionnaire trends and the since-last-visit comparison
(the preventive before/after is preventive_effect.py).

Endpoints follow the IHS clinical-trial guidelines (clinical-kb §3.3): headache days, migraine
days (the primary preventive endpoint), acute-medication days (any, migraine-specific and per
class), normalised to 28 days with the raw counts kept. The default window is the last 28 days;
a 30-day variant matches the overuse "month" (overuse.py).

Unknown days (no diary entry at all) are reported, never imputed: a rate over a half-empty
window would look like improvement. The caller sees `documented_days` beside every count.
"""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

from services.diary.domain.clinical.acute_drugs import AcuteClass
from services.diary.domain.clinical.days import DayRecord, DiaryDays
from services.diary.domain.clinical.facts import Instrument, Relief
from services.diary.domain.clinical.questionnaires import ScoredQuestionnaire

DEFAULT_WINDOW_DAYS = 28  # IHS convention: monthly rates per 28 days (KB §3.3)
MONTH_WINDOW_DAYS = 30


@dataclass(frozen=True, slots=True, kw_only=True)
class WindowMeasures:
    first_day: date
    last_day: date
    documented_days: int
    headache_days: int
    migraine_days: int
    acute_medication_days: int
    migraine_specific_medication_days: int
    medication_days_by_class: Mapping[AcuteClass, int]  # every class, 0 when unused
    mean_peak_intensity: float | None  # mean of each headache day's worst intensity (1-3)
    attacks_started: int
    treated_attacks: int
    relief_answers: int  # treated attacks with a 2 h answer
    relief_at_2h: int  # pain relief (partial or pain-free) at 2 h
    pain_free_at_2h: int

    @property
    def length_days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def unknown_days(self) -> int:
        return self.length_days - self.documented_days

    def per_28_days(self, count: int) -> float:
        """A raw count scaled to 28 days (KB §3.3: normalise to 28, store raw counts)."""
        return count * 28 / self.length_days


def window_measures(
    days: DiaryDays, *, last_day: date | None = None, length_days: int = DEFAULT_WINDOW_DAYS
) -> WindowMeasures:
    """Endpoints over the `length_days` days ending on `last_day` (default: days.through)."""
    last = days.through if last_day is None else last_day
    return measures_between(days, last - timedelta(days=length_days - 1), last)


def measures_between(days: DiaryDays, first: date, last: date) -> WindowMeasures:
    headache = migraine = acute = specific = 0
    by_class = dict.fromkeys(AcuteClass, 0)
    intensity_sum = started = treated = answered = relieved = pain_free = 0
    for record in _attack_days(days, first, last):
        if record.headache:
            headache += 1
            intensity_sum += record.peak_intensity
        migraine += record.migraine
        acute += record.acute_medication
        specific += record.migraine_specific_medication
        for acute_class in record.acute_classes:
            by_class[acute_class] += 1
        for attack in record.onsets:
            started += 1
            if any(m.acute_class is not None for m in attack.medications):
                treated += 1
                if attack.relief_at_2h is not None:
                    answered += 1
                    relieved += attack.relief_at_2h is not Relief.NONE
                    pain_free += attack.relief_at_2h is Relief.PAIN_FREE
    documented = sum(1 for d in _dates(first, last) if days.is_documented(d))
    return WindowMeasures(
        first_day=first,
        last_day=last,
        documented_days=documented,
        headache_days=headache,
        migraine_days=migraine,
        acute_medication_days=acute,
        migraine_specific_medication_days=specific,
        medication_days_by_class=MappingProxyType(by_class),
        mean_peak_intensity=intensity_sum / headache if headache else None,
        attacks_started=started,
        treated_attacks=treated,
        relief_answers=answered,
        relief_at_2h=relieved,
        pain_free_at_2h=pain_free,
    )


def _dates(first: date, last: date) -> Iterator[date]:
    for offset in range((last - first).days + 1):
        yield first + timedelta(days=offset)


def _attack_days(days: DiaryDays, first: date, last: date) -> Iterator[DayRecord]:
    """The window's days that have a record; the others are headache-free or unknown."""
    for day in _dates(first, last):
        record = days.records.get(day)
        if record is not None:
            yield record


@dataclass(frozen=True, slots=True)
class TrendPoint:
    questionnaire_id: str
    day: date  # local day of completion
    total: int
    band: str


def trend_series(
    scored: Iterable[ScoredQuestionnaire], zone: ZoneInfo
) -> Mapping[Instrument, tuple[TrendPoint, ...]]:
    """Every instrument's totals over the whole history, oldest first (score_all's order)."""
    series: dict[Instrument, list[TrendPoint]] = {instrument: [] for instrument in Instrument}
    for q in scored:
        day = q.facts.completed_at.astimezone(zone).date()
        point = TrendPoint(q.questionnaire_id, day, q.result.total, q.result.band.code)
        series[q.result.instrument].append(point)
    return MappingProxyType({k: tuple(v) for k, v in series.items()})


@dataclass(frozen=True, slots=True, kw_only=True)
class VisitComparison:
    last_visit: date
    before_visit: WindowMeasures  # the 28 days before the visit
    since_visit: WindowMeasures  # the last 28 days, never reaching back before the visit

    @property
    def headache_days_rise(self) -> int:
        return self.since_visit.headache_days - self.before_visit.headache_days


def compare_with_visit(days: DiaryDays, last_visit: date) -> VisitComparison:
    """Raw headache days since the visit vs the 28 days before it (no extrapolation: a
    shorter post-visit window can only under-state a rise)."""
    since_first = max(last_visit, days.through - timedelta(days=DEFAULT_WINDOW_DAYS - 1))
    return VisitComparison(
        last_visit=last_visit,
        before_visit=measures_between(
            days, last_visit - timedelta(days=DEFAULT_WINDOW_DAYS), last_visit - timedelta(days=1)
        ),
        since_visit=measures_between(days, since_first, days.through),
    )
