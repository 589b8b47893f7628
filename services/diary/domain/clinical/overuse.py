"""Medication-overuse screening: ICHD-3 8.2 thresholds and the KB's counting (clinical-kb §3.2).

Counting (KB §3.2 algorithm):
* each intake maps to one class (acute_drugs.py); per class, count DISTINCT local calendar
  days with any intake, never doses;
* a "month" is a rolling 30-day window ending on the assessment day (KB step 3 lets us choose;
  rolling windows give the same answer whatever day of the calendar month the job runs, and
  30 days is the ICHD "month"); three consecutive windows cover the required 3 months;
* 8.2.6 (several classes, none overused alone) counts distinct days with ANY acute drug, so a
  day with a triptan and an NSAID counts once toward the total (scenario T30).

Levels per scope (each class, plus "combined"):
* POSSIBLE_MOH: KB step 4: the threshold is met in each of the last 3 months AND headache days
  are ≥15 in each of them. A screening signal for the neurologist, not a diagnosis (step 6).
* WARNING: the current month is within `warning_margin` (2) days of the threshold, or at or
  over it without the step-4 flag (not yet 3 months, or fewer than 15 headache days). The KB's
  "approaching overuse" (step 5, a design choice): 8 of 10 days, 13 of 15 for simple
  analgesics, so the patient and clinician hear of it before the threshold is crossed.
The combined scope applies only when ≥2 classes were used (8.2.6 is about several classes;
one class alone is judged by its own threshold) and no class is over its own threshold in all
3 months (8.2.6: "without overuse of any single class alone"). Gepants and ditans count under
8.2.8 with ≥10 days (KB §3.2, VERIFY; switchable) and, when counted, toward the total.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum
from types import MappingProxyType

from services.diary.domain.clinical.acute_drugs import AcuteClass
from services.diary.domain.clinical.days import DiaryDays

COMBINED = "combined"


class OveruseLevel(IntEnum):
    NONE = 0
    WARNING = 1
    POSSIBLE_MOH = 2


@dataclass(frozen=True, slots=True)
class ScopeRule:
    scope: str  # an AcuteClass value, or COMBINED
    ichd_code: str
    threshold: int  # days per month


# ICHD-3 8.2 subtypes and thresholds (KB §3.2 table).
CLASS_RULES: Mapping[AcuteClass, ScopeRule] = MappingProxyType(
    {
        AcuteClass.ERGOT: ScopeRule(AcuteClass.ERGOT, "8.2.1", 10),
        AcuteClass.TRIPTAN: ScopeRule(AcuteClass.TRIPTAN, "8.2.2", 10),
        AcuteClass.SIMPLE_ANALGESIC: ScopeRule(AcuteClass.SIMPLE_ANALGESIC, "8.2.3", 15),
        AcuteClass.OPIOID: ScopeRule(AcuteClass.OPIOID, "8.2.4", 10),
        AcuteClass.COMBINATION_ANALGESIC: ScopeRule(AcuteClass.COMBINATION_ANALGESIC, "8.2.5", 10),
        AcuteClass.GEPANT: ScopeRule(AcuteClass.GEPANT, "8.2.8", 10),
        AcuteClass.DITAN: ScopeRule(AcuteClass.DITAN, "8.2.8", 10),
    }
)
COMBINED_RULE = ScopeRule(COMBINED, "8.2.6", 10)
_POST_ICHD3 = frozenset({AcuteClass.GEPANT, AcuteClass.DITAN})


@dataclass(frozen=True, slots=True, kw_only=True)
class OveruseRules:
    month_days: int = 30
    months: int = 3  # KB §3.2 step 4: each of the last 3 consecutive months
    moh_headache_days: int = 15  # ICHD-3 8.2 criterion A
    warning_margin: int = 2  # KB §3.2 step 5
    count_gepants_ditans: bool = True  # KB §3.2: 8.2.8, keep configurable


DEFAULT_OVERUSE_RULES = OveruseRules()


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthCount:
    first_day: date
    last_day: date
    days: tuple[date, ...]  # the distinct days counted: the evidence

    @property
    def count(self) -> int:
        return len(self.days)


@dataclass(frozen=True, slots=True, kw_only=True)
class ScopeOveruse:
    scope: str
    ichd_code: str
    threshold: int
    warning_at: int
    level: OveruseLevel
    months: tuple[MonthCount, ...]  # newest first
    classes_used: frozenset[AcuteClass]  # over the whole period

    @property
    def current_days(self) -> int:
        return self.months[0].count

    @property
    def months_at_threshold(self) -> int:
        """Consecutive months, newest first, at or over the threshold."""
        run = 0
        for month in self.months:
            if month.count < self.threshold:
                break
            run += 1
        return run


@dataclass(frozen=True, slots=True, kw_only=True)
class OveruseReport:
    through: date
    headache_days: tuple[int, ...]  # per month, newest first
    documented_days: tuple[int, ...]  # per month: how much of each month the diary covers
    scopes: tuple[ScopeOveruse, ...]  # classes in CLASS_RULES order, then combined

    def scope(self, name: str) -> ScopeOveruse:
        return next(s for s in self.scopes if s.scope == name)

    @property
    def flagged(self) -> tuple[ScopeOveruse, ...]:
        return tuple(s for s in self.scopes if s.level is OveruseLevel.POSSIBLE_MOH)


class _Month:
    __slots__ = ("any_days", "by_class", "documented", "first", "headache", "last")

    def __init__(self, first: date, last: date) -> None:
        self.first, self.last = first, last
        self.by_class: dict[AcuteClass, list[date]] = {}
        self.any_days: list[date] = []
        self.headache = self.documented = 0


def _count_months(days: DiaryDays, rules: OveruseRules) -> list[_Month]:
    months = []
    for index in range(rules.months):
        last = days.through - timedelta(days=index * rules.month_days)
        month = _Month(last - timedelta(days=rules.month_days - 1), last)
        for offset in range(rules.month_days):
            day = month.first + timedelta(days=offset)
            month.documented += days.is_documented(day)
            record = days.records.get(day)
            if record is None:
                continue  # a check-in-only or unknown day: no headache, no drug
            month.headache += record.headache
            counted = [c for c in record.acute_classes
                       if rules.count_gepants_ditans or c not in _POST_ICHD3]  # fmt: skip
            for acute_class in counted:
                month.by_class.setdefault(acute_class, []).append(record.day)
            if counted:  # distinct days: a day with two classes is one day of the total
                month.any_days.append(record.day)
        months.append(month)
    return months


def assess_overuse(days: DiaryDays, rules: OveruseRules = DEFAULT_OVERUSE_RULES) -> OveruseReport:
    """Per-class and combined overuse over the months ending on `days.through`."""
    months = _count_months(days, rules)
    headache_met = all(m.headache >= rules.moh_headache_days for m in months)

    scopes: list[ScopeOveruse] = []
    for acute_class, rule in CLASS_RULES.items():
        if acute_class in _POST_ICHD3 and not rules.count_gepants_ditans:
            continue
        counts = _month_counts(months, acute_class)
        sustained = all(m.count >= rule.threshold for m in counts)
        warning_at = rule.threshold - rules.warning_margin
        level = (
            OveruseLevel.POSSIBLE_MOH if sustained and headache_met
            else OveruseLevel.WARNING if counts[0].count >= warning_at
            else OveruseLevel.NONE
        )  # fmt: skip
        used = frozenset({acute_class} if any(m.count for m in counts) else ())
        scopes.append(_scope(rule, warning_at, level, counts, used))

    single_class_overuse = any(s.months_at_threshold == rules.months for s in scopes)
    used_all = frozenset(c for m in months for c in m.by_class)
    used_now = set(months[0].by_class)
    counts = _month_counts(months, None)
    warning_at = COMBINED_RULE.threshold - rules.warning_margin
    level = OveruseLevel.NONE
    if not single_class_overuse:
        sustained = all(m.count >= COMBINED_RULE.threshold for m in counts)
        if sustained and headache_met and len(used_all) >= 2:
            level = OveruseLevel.POSSIBLE_MOH
        elif counts[0].count >= warning_at and len(used_now) >= 2:
            level = OveruseLevel.WARNING
    scopes.append(_scope(COMBINED_RULE, warning_at, level, counts, used_all))

    return OveruseReport(
        through=days.through,
        headache_days=tuple(m.headache for m in months),
        documented_days=tuple(m.documented for m in months),
        scopes=tuple(scopes),
    )


def _month_counts(months: list[_Month], acute_class: AcuteClass | None) -> tuple[MonthCount, ...]:
    """One class's days per month, or (None) the days with any counted class."""
    return tuple(
        MonthCount(
            first_day=m.first,
            last_day=m.last,
            days=tuple(m.any_days if acute_class is None else m.by_class.get(acute_class, ())),
        )
        for m in months
    )


def _scope(
    rule: ScopeRule, warning_at: int, level: OveruseLevel, months: tuple[MonthCount, ...],
    used: frozenset[AcuteClass],
) -> ScopeOveruse:  # fmt: skip
    return ScopeOveruse(
        scope=rule.scope,
        ichd_code=rule.ichd_code,
        threshold=rule.threshold,
        warning_at=warning_at,
        level=level,
        months=months,
        classes_used=used,
    )
