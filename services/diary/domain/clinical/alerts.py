"""Which alerts to raise now, given a clinician summary and what was raised before.

Pure: the caller stores the returned state and passes it back next time, so re-running on
the same data raises nothing new. Every alert has a stable episode key for downstream
de-duplication. Rules (clinical-kb §3.2, §3.3, §3.4, §0.2):

* medication_overuse_warning / medication_overuse, per class and for 8.2.6 combined: once per
  episode each. An episode opens when a scope reaches the warning level and ends when it falls
  back below it (overuse.py); a later rise is a new episode and alerts again. While the
  combined 8.2.6 flag is up, class warnings are folded into it (their counts are in its
  evidence): scenario T30 must not produce a single-class signal. Priority normal: the KB
  sends the MOH flag to the neurologist as T3, a screening signal (§3.2 step 6).
* phq9_item9: every questionnaire with item 9 > 0, high priority, never de-duplicated against
  other days (KB §3.4, scenario T17); only the same questionnaire re-sent is not raised again.
* phq9_worsening: a PHQ-9 total ≥5 points above the previous PHQ-9, or in a higher band. Each
  questionnaire is judged once, against its predecessor; one completed more than 28 days before
  the summary is not (a newer questionnaire supersedes it: PHQ-9 is given every 2-4 weeks).
* headache_days_rising, only when a last visit date is known: headache days since the visit
  (at most the last 28) exceed those of the 28 days before it by ≥4, i.e. about one more
  headache day a week. It waits until 14 days after the visit, and needs ≥21 documented days
  in the pre-visit window: an empty baseline would make any headache look like a rise.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum
from itertools import pairwise
from types import MappingProxyType

from services.diary.domain.clinical.facts import Instrument
from services.diary.domain.clinical.measures import VisitComparison, WindowMeasures
from services.diary.domain.clinical.overuse import (
    COMBINED,
    OveruseLevel,
    OveruseReport,
    ScopeOveruse,
)
from services.diary.domain.clinical.questionnaires import PHQ9_ITEM9_POSITIVE, ScoredQuestionnaire
from services.diary.domain.clinical.summary import ClinicianSummary

Evidence = Mapping[str, object]  # JSON-ready: str, int, float, bool, lists and dicts of them


class AlertKind(StrEnum):
    MEDICATION_OVERUSE_WARNING = "medication_overuse_warning"
    MEDICATION_OVERUSE = "medication_overuse"
    PHQ9_ITEM9 = "phq9_item9"
    PHQ9_WORSENING = "phq9_worsening"
    HEADACHE_DAYS_RISING = "headache_days_rising"


class Priority(StrEnum):
    HIGH = "high"
    NORMAL = "normal"


@dataclass(frozen=True, slots=True, kw_only=True)
class Alert:
    kind: AlertKind
    priority: Priority
    episode_key: str
    evidence: Evidence


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertRules:
    phq9_worsening_points: int = 5
    phq9_lookback_days: int = 28
    rising_headache_days: int = 4
    rising_wait_days: int = 14
    rising_min_baseline_documented: int = 21


@dataclass(frozen=True, slots=True, kw_only=True)
class Episode:
    started_on: date
    raised: frozenset[AlertKind] = frozenset()
    context: str = ""  # e.g. the visit date an episode of rising headache days refers to


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertState:
    overuse: Mapping[str, Episode] = field(default_factory=lambda: MappingProxyType({}))
    rising: Episode | None = None
    phq9_item9_alerted: frozenset[str] = frozenset()  # questionnaire ids
    phq9_worsening_judged: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class AlertDecision:
    alerts: tuple[Alert, ...]
    state: AlertState


def decide_alerts(
    summary: ClinicianSummary, state: AlertState | None = None, rules: AlertRules = AlertRules()
) -> AlertDecision:
    state = state or AlertState()
    alerts: list[Alert] = []
    overuse = _overuse_alerts(summary.overuse, state.overuse, alerts)
    item9 = _item9_alerts(summary.questionnaires, state.phq9_item9_alerted, alerts)
    judged = _worsening_alerts(summary, state.phq9_worsening_judged, rules, alerts)
    rising = _rising_alert(summary, state.rising, rules, alerts)
    new_state = AlertState(
        overuse=overuse, rising=rising, phq9_item9_alerted=item9, phq9_worsening_judged=judged
    )
    return AlertDecision(tuple(alerts), new_state)


def _overuse_alerts(
    report: OveruseReport, episodes: Mapping[str, Episode], alerts: list[Alert]
) -> Mapping[str, Episode]:
    combined_flagged = report.scope(COMBINED).level is OveruseLevel.POSSIBLE_MOH
    still_open: dict[str, Episode] = {}
    for scope in report.scopes:
        if scope.level is OveruseLevel.NONE:
            continue  # below the warning level: any open episode ends here
        episode = episodes.get(scope.scope) or Episode(started_on=report.through)
        if scope.level is OveruseLevel.POSSIBLE_MOH:
            kind = AlertKind.MEDICATION_OVERUSE
        elif episode.raised or (combined_flagged and scope.scope != COMBINED):
            still_open[scope.scope] = episode  # warned already, or folded into 8.2.6
            continue
        else:
            kind = AlertKind.MEDICATION_OVERUSE_WARNING
        if kind not in episode.raised:
            key = f"{kind.value}:{scope.scope}:{episode.started_on.isoformat()}"
            alerts.append(Alert(kind=kind, priority=Priority.NORMAL, episode_key=key,
                                evidence=_overuse_evidence(report, scope)))  # fmt: skip
            episode = replace(episode, raised=episode.raised | {kind})
        still_open[scope.scope] = episode
    return MappingProxyType(still_open)


def _overuse_evidence(report: OveruseReport, scope: ScopeOveruse) -> Evidence:
    evidence: dict[str, object] = {
        "scope": scope.scope,
        "ichd_code": scope.ichd_code,
        "level": scope.level.name.lower(),
        "threshold_days": scope.threshold,
        "warning_at_days": scope.warning_at,
        "months": [
            {
                "first_day": m.first_day.isoformat(),
                "last_day": m.last_day.isoformat(),
                "days_counted": m.count,
                "days": [d.isoformat() for d in m.days],
            }
            for m in scope.months
        ],
        "headache_days_per_month": list(report.headache_days),
        "documented_days_per_month": list(report.documented_days),
    }
    if scope.scope == COMBINED:
        evidence["class_days_per_month"] = {
            s.scope: [m.count for m in s.months] for s in report.scopes if s.scope != COMBINED
            and s.scope in scope.classes_used
        }  # fmt: skip
    return evidence


def _item9_alerts(
    questionnaires: tuple[ScoredQuestionnaire, ...], alerted: frozenset[str], alerts: list[Alert]
) -> frozenset[str]:
    raised = set(alerted)
    for q in questionnaires:
        if PHQ9_ITEM9_POSITIVE not in q.result.flags or q.questionnaire_id in raised:
            continue
        raised.add(q.questionnaire_id)
        alerts.append(
            Alert(
                kind=AlertKind.PHQ9_ITEM9,
                priority=Priority.HIGH,
                episode_key=f"phq9_item9:{q.questionnaire_id}",
                evidence={
                    "questionnaire_id": q.questionnaire_id,
                    "completed_at": q.facts.completed_at.isoformat(),
                    "item9": q.result.item_scores[8],
                    "total": q.result.total,
                    "band": q.result.band.code,
                },
            )
        )
    return frozenset(raised)


def _worsening_alerts(
    summary: ClinicianSummary, judged: frozenset[str], rules: AlertRules, alerts: list[Alert]
) -> frozenset[str]:
    done = set(judged)
    day_of = {p.questionnaire_id: p.day for p in summary.trends[Instrument.PHQ9]}
    oldest = summary.through - timedelta(days=rules.phq9_lookback_days)
    phq9 = [q for q in summary.questionnaires if q.result.instrument is Instrument.PHQ9]
    for previous, current in pairwise(phq9):
        if current.questionnaire_id in done or day_of[current.questionnaire_id] < oldest:
            continue
        done.add(current.questionnaire_id)
        rise = current.result.total - previous.result.total
        band_up = current.result.band.rank > previous.result.band.rank
        if rise < rules.phq9_worsening_points and not band_up:
            continue
        alerts.append(
            Alert(
                kind=AlertKind.PHQ9_WORSENING,
                priority=Priority.NORMAL,
                episode_key=f"phq9_worsening:{current.questionnaire_id}",
                evidence={
                    "questionnaire_id": current.questionnaire_id,
                    "previous_questionnaire_id": previous.questionnaire_id,
                    "total": current.result.total,
                    "previous_total": previous.result.total,
                    "rise": rise,
                    "band": current.result.band.code,
                    "previous_band": previous.result.band.code,
                },
            )
        )
    return frozenset(done)


def _rising_alert(
    summary: ClinicianSummary, episode: Episode | None, rules: AlertRules, alerts: list[Alert]
) -> Episode | None:
    comparison = summary.since_last_visit
    if comparison is None or not _is_rising(comparison, summary.through, rules):
        return None  # no visit, too early, too little baseline, or no rise: no open episode
    visit = comparison.last_visit.isoformat()
    if episode is not None and episode.context == visit:
        return episode  # raised already in this episode
    key = f"headache_days_rising:{visit}:{summary.through.isoformat()}"
    alerts.append(
        Alert(
            kind=AlertKind.HEADACHE_DAYS_RISING,
            priority=Priority.NORMAL,
            episode_key=key,
            evidence={
                "last_visit": visit,
                "before_visit": _window_evidence(comparison.before_visit),
                "since_visit": _window_evidence(comparison.since_visit),
                "rise": comparison.headache_days_rise,
                "rule_min_rise": rules.rising_headache_days,
            },
        )
    )
    kind = AlertKind.HEADACHE_DAYS_RISING
    return Episode(started_on=summary.through, raised=frozenset({kind}), context=visit)


def _is_rising(comparison: VisitComparison, through: date, rules: AlertRules) -> bool:
    waited = (through - comparison.last_visit).days >= rules.rising_wait_days
    baseline = comparison.before_visit.documented_days >= rules.rising_min_baseline_documented
    return waited and baseline and comparison.headache_days_rise >= rules.rising_headache_days


def _window_evidence(window: WindowMeasures) -> Evidence:
    return {
        "first_day": window.first_day.isoformat(),
        "last_day": window.last_day.isoformat(),
        "headache_days": window.headache_days,
        "documented_days": window.documented_days,
    }
