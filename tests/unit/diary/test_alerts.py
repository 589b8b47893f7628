"""Alert decisions with episode state (clinical-kb §3.2, §3.4, scenarios T17, T19, T30)."""

from collections.abc import Sequence
from datetime import date, timedelta

from services.diary.domain.clinical.acute_drugs import AcuteClass
from services.diary.domain.clinical.alerts import (
    Alert,
    AlertKind,
    AlertState,
    Priority,
    decide_alerts,
)
from services.diary.domain.clinical.facts import AttackFacts, QuestionnaireFacts
from services.diary.domain.clinical.summary import ClinicianSummary, clinician_summary
from tests.unit.diary.builders import THROUGH, at, attack, checkins, diary, monthly, phq9_total

DAILY = checkins(THROUGH - timedelta(days=200), THROUGH + timedelta(days=200), stress=3)


def summary(
    attacks: Sequence[AttackFacts] = (),
    questionnaires: Sequence[QuestionnaireFacts] = (),
    *,
    through: date = THROUGH,
    last_visit: date | None = None,
) -> ClinicianSummary:
    daily = [c for c in DAILY if c.day <= through]
    days = diary(attacks, daily, through=through)
    return clinician_summary(days, questionnaires, last_visit=last_visit)


def days_plan(count: int, drug: str, untreated: int = 0) -> list[tuple[int, list[str]]]:
    return [(i, [drug]) for i in range(count)] + [(count + i, []) for i in range(untreated)]


def kinds(alerts: tuple[Alert, ...]) -> list[tuple[str, object]]:
    return [(a.kind.value, a.evidence.get("scope")) for a in alerts]


def test_overuse_episode_raises_once_escalates_once_and_reopens_after_ending() -> None:
    warning = summary(monthly(THROUGH, 1, days_plan(8, "sumatriptan")))
    first = decide_alerts(warning)
    assert kinds(first.alerts) == [("medication_overuse_warning", "triptan")]
    key = first.alerts[0].episode_key
    assert key == f"medication_overuse_warning:triptan:{THROUGH.isoformat()}"
    assert first.alerts[0].priority is Priority.NORMAL

    assert decide_alerts(warning, first.state).alerts == ()  # same episode: nothing new

    overuse = summary(monthly(THROUGH, 3, days_plan(11, "sumatriptan", untreated=5)))
    escalated = decide_alerts(overuse, first.state)
    assert kinds(escalated.alerts) == [("medication_overuse", "triptan")]
    assert escalated.alerts[0].episode_key == f"medication_overuse:triptan:{THROUGH.isoformat()}"
    assert decide_alerts(overuse, escalated.state).alerts == ()
    # Back to the warning level within the same episode: no new warning.
    assert decide_alerts(warning, escalated.state).alerts == ()

    ended = decide_alerts(summary([]), escalated.state)
    assert ended.alerts == ()
    assert ended.state.overuse == {}

    later = THROUGH + timedelta(days=40)
    again = decide_alerts(summary(monthly(later, 1, days_plan(9, "rizatriptan")), through=later),
                          ended.state)  # fmt: skip
    assert kinds(again.alerts) == [("medication_overuse_warning", "triptan")]
    assert again.alerts[0].episode_key != key


def test_t30_raises_the_combined_flag_only() -> None:
    plan = [(i, ["sumatriptan"]) for i in range(9)] + [(9 + i, ["ibuprofen"]) for i in range(6)]
    decision = decide_alerts(summary(monthly(THROUGH, 3, [*plan, (15, [])])))
    assert kinds(decision.alerts) == [("medication_overuse", "combined")]
    evidence = decision.alerts[0].evidence
    assert evidence["ichd_code"] == "8.2.6"
    assert evidence["class_days_per_month"] == {"triptan": [9, 9, 9], "simple_analgesic": [6, 6, 6]}
    assert evidence["headache_days_per_month"] == [16, 16, 16]
    # The folded triptan warning is not marked raised: it can still speak if 8.2.6 clears.
    assert AlertKind.MEDICATION_OVERUSE_WARNING not in decision.state.overuse["triptan"].raised


def test_t19_flags_the_combination_analgesic_with_the_days_as_evidence() -> None:
    decision = decide_alerts(summary(monthly(THROUGH, 3, days_plan(12, "Fioricet", untreated=4))))
    assert kinds(decision.alerts) == [("medication_overuse", AcuteClass.COMBINATION_ANALGESIC)]
    months = decision.alerts[0].evidence["months"]
    assert [m["days_counted"] for m in months] == [12, 12, 12]  # type: ignore[attr-defined]
    assert len(months[0]["days"]) == 12  # type: ignore[index]


def test_phq9_item9_on_two_days_raises_two_alerts_and_a_resend_raises_none() -> None:
    monday = phq9_total("q-mon", THROUGH - timedelta(days=3), 8, item9=1)
    friday = phq9_total("q-fri", THROUGH, 8, item9=1)
    first = decide_alerts(summary(questionnaires=[monday, friday, monday]))
    item9 = [a for a in first.alerts if a.kind is AlertKind.PHQ9_ITEM9]
    assert [a.episode_key for a in item9] == ["phq9_item9:q-mon", "phq9_item9:q-fri"]
    assert all(a.priority is Priority.HIGH for a in item9)
    assert item9[0].evidence["item9"] == 1

    # The same questionnaire re-sent later, with a new one: only the new one raises.
    sunday = phq9_total("q-sun", THROUGH, 2, item9=2)
    second = decide_alerts(summary(questionnaires=[friday, sunday]), first.state)
    assert [a.episode_key for a in second.alerts if a.kind is AlertKind.PHQ9_ITEM9] == [
        "phq9_item9:q-sun"
    ]


def test_phq9_worsening_by_points_or_band_judged_once() -> None:
    qs = [
        phq9_total("a", THROUGH - timedelta(days=60), 2),
        phq9_total("b", THROUGH - timedelta(days=45), 12),  # +10, but older than 28 days
        phq9_total("c", THROUGH - timedelta(days=21), 10),  # -2
        phq9_total("d", THROUGH - timedelta(days=14), 14),  # +4 within "moderate": no
        phq9_total("e", THROUGH - timedelta(days=7), 15),  # +1 into moderately severe
    ]
    decision = decide_alerts(summary(questionnaires=qs))
    worse = [a for a in decision.alerts if a.kind is AlertKind.PHQ9_WORSENING]
    assert [a.evidence["questionnaire_id"] for a in worse] == ["e"]
    assert worse[0].evidence["previous_band"] == "moderate"

    jump = phq9_total("f", THROUGH, 20)  # +5 (and a band up)
    again = decide_alerts(summary(questionnaires=[*qs, jump]), decision.state)
    assert [a.episode_key for a in again.alerts] == ["phq9_worsening:f"]


def test_phq9_rise_of_five_in_the_same_band_raises() -> None:
    qs = [phq9_total("a", THROUGH - timedelta(days=14), 20), phq9_total("b", THROUGH, 25, 1)]
    alerts = decide_alerts(summary(questionnaires=qs)).alerts
    worse = [a.episode_key for a in alerts if a.kind is AlertKind.PHQ9_WORSENING]
    assert worse == ["phq9_worsening:b"]


def headaches(first: date, count: int, prefix: str) -> list[AttackFacts]:
    return [attack(f"{prefix}{i}", at(first + timedelta(days=2 * i))) for i in range(count)]


def test_headache_days_rising_since_the_last_visit() -> None:
    visit = THROUGH - timedelta(days=27)
    before = headaches(visit - timedelta(days=27), 3, "b")
    rising = summary([*before, *headaches(visit, 7, "s")], last_visit=visit)
    first = decide_alerts(rising)
    assert [a.kind for a in first.alerts] == [AlertKind.HEADACHE_DAYS_RISING]
    assert first.alerts[0].evidence["rise"] == 4
    assert decide_alerts(rising, first.state).alerts == ()

    calm = summary([*before, *headaches(visit, 6, "s")], last_visit=visit)
    ended = decide_alerts(calm, first.state)
    assert (ended.alerts, ended.state.rising) == ((), None)
    assert [a.kind for a in decide_alerts(rising, ended.state).alerts] == [
        AlertKind.HEADACHE_DAYS_RISING
    ]


def test_headache_days_rising_needs_a_baseline_and_time_since_the_visit() -> None:
    visit = THROUGH - timedelta(days=27)
    undocumented = [c for c in DAILY if not visit - timedelta(days=28) <= c.day < visit]
    days = diary(headaches(visit, 8, "s"), undocumented)
    assert decide_alerts(clinician_summary(days, [], last_visit=visit)).alerts == ()

    recent = THROUGH - timedelta(days=10)
    assert decide_alerts(summary(headaches(recent, 5, "s"), last_visit=recent)).alerts == ()
    assert decide_alerts(summary(headaches(visit, 8, "s"))).alerts == ()  # no visit: no rule


def test_nothing_to_say_raises_nothing() -> None:
    decision = decide_alerts(summary([]), AlertState())
    assert decision.alerts == ()
    assert decision.state == AlertState(
        overuse={}, phq9_item9_alerted=frozenset(), phq9_worsening_judged=frozenset()
    )
