"""Everything a clinician summary shows, computed in one pass over the bucketed diary.

Windows read only their own days (28 and 30 for the endpoints, 90 for overuse); the
questionnaire trends and the stress association read the whole history.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from services.diary.domain.clinical.days import DiaryDays
from services.diary.domain.clinical.facts import Instrument, QuestionnaireFacts
from services.diary.domain.clinical.measures import (
    DEFAULT_WINDOW_DAYS,
    MONTH_WINDOW_DAYS,
    TrendPoint,
    VisitComparison,
    WindowMeasures,
    compare_with_visit,
    trend_series,
    window_measures,
)
from services.diary.domain.clinical.overuse import (
    DEFAULT_OVERUSE_RULES,
    OveruseReport,
    OveruseRules,
    assess_overuse,
)
from services.diary.domain.clinical.questionnaires import ScoredQuestionnaire, score_all
from services.diary.domain.clinical.stress import StressAssociation, stress_association


@dataclass(frozen=True, slots=True, kw_only=True)
class ClinicianSummary:
    through: date
    last_28_days: WindowMeasures
    last_30_days: WindowMeasures
    overuse: OveruseReport
    stress: StressAssociation
    questionnaires: tuple[ScoredQuestionnaire, ...]  # oldest first, one per id
    trends: Mapping[Instrument, tuple[TrendPoint, ...]]
    since_last_visit: VisitComparison | None


def clinician_summary(
    days: DiaryDays,
    questionnaires: Iterable[QuestionnaireFacts],
    *,
    last_visit: date | None = None,
    overuse_rules: OveruseRules = DEFAULT_OVERUSE_RULES,
) -> ClinicianSummary:
    scored = score_all(questionnaires)
    return ClinicianSummary(
        through=days.through,
        last_28_days=window_measures(days, length_days=DEFAULT_WINDOW_DAYS),
        last_30_days=window_measures(days, length_days=MONTH_WINDOW_DAYS),
        overuse=assess_overuse(days, overuse_rules),
        stress=stress_association(days),
        questionnaires=scored,
        trends=trend_series(scored, days.zone),
        since_last_visit=None if last_visit is None else compare_with_visit(days, last_visit),
    )
