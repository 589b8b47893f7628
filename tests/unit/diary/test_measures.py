"""Window endpoints, trends and before/after comparisons (clinical-kb §3.3)."""

from datetime import date, timedelta

import pytest

from services.diary.domain.clinical.acute_drugs import AcuteClass
from services.diary.domain.clinical.facts import (
    AttackFacts,
    Instrument,
    QuestionnaireFacts,
    Relief,
)
from services.diary.domain.clinical.measures import (
    compare_with_visit,
    trend_series,
    window_measures,
)
from services.diary.domain.clinical.questionnaires import score_all
from tests.unit.diary.builders import (
    BERLIN,
    NEW_YORK,
    THROUGH,
    at,
    attack,
    checkins,
    diary,
    phq9_total,
)


def ago(n: int) -> date:
    return THROUGH - timedelta(days=n)


def migraine(aid: str, day: date) -> AttackFacts:
    return attack(aid, at(day), intensity=3, unilateral=True, nausea=True)


def test_default_window_counts_the_last_28_days() -> None:
    attacks = [
        attack("m1", at(ago(1)), intensity=3, unilateral=True, nausea=True,
               drugs=["sumatriptan"], relief=Relief.PAIN_FREE),
        attack("m2", at(ago(5)), intensity=2, pulsating=True, photophobia=True,
               phonophobia=True, drugs=["rizatriptan"], relief=Relief.PARTIAL),
        attack("m3", at(ago(9)), intensity=3, aura=True, drugs=["ubrogepant"], relief=Relief.NONE),
        attack("t1", at(ago(12)), intensity=1, drugs=["ibuprofen"]),
        attack("t2", at(ago(20)), intensity=1, drugs=["acetaminophen", "Fioricet"]),
        attack("short", at(ago(22)), hours=0.2),  # documented, not a headache day
        attack("old", at(ago(28)), intensity=3, drugs=["sumatriptan"]),  # day 29: outside
    ]  # fmt: skip
    days = diary(attacks, checkins(ago(19), THROUGH))  # 20 check-in days
    m = window_measures(days)
    assert (m.first_day, m.last_day, m.length_days) == (ago(27), THROUGH, 28)
    assert (m.headache_days, m.migraine_days) == (5, 3)
    assert (m.acute_medication_days, m.migraine_specific_medication_days) == (5, 3)
    assert m.medication_days_by_class == {
        AcuteClass.TRIPTAN: 2, AcuteClass.GEPANT: 1, AcuteClass.SIMPLE_ANALGESIC: 2,
        AcuteClass.COMBINATION_ANALGESIC: 1, AcuteClass.ERGOT: 0, AcuteClass.OPIOID: 0,
        AcuteClass.DITAN: 0,
    }  # fmt: skip
    assert m.documented_days == 20 + 2  # check-ins, plus day 20 (t2) and day 22 (short)
    assert m.unknown_days == 6
    assert m.mean_peak_intensity == pytest.approx((3 + 2 + 3 + 1 + 1) / 5)
    assert (m.attacks_started, m.treated_attacks) == (6, 5)
    assert (m.relief_answers, m.relief_at_2h, m.pain_free_at_2h) == (3, 2, 1)
    assert m.per_28_days(m.headache_days) == 5

    month = window_measures(days, length_days=30)
    assert month.headache_days == 6  # the 29th day back is in the 30-day window
    assert month.per_28_days(month.headache_days) == pytest.approx(6 * 28 / 30)


def test_empty_window_has_no_mean_intensity() -> None:
    m = window_measures(diary([], checkins(ago(27), THROUGH)))
    assert (m.headache_days, m.mean_peak_intensity, m.unknown_days) == (0, None, 0)


def test_trend_series_is_per_instrument_oldest_first_on_local_days() -> None:
    late = phq9_total("late", date(2026, 5, 1), 12)
    # 20:00 in New York on 2 May is 3 May in Berlin: the local day follows the patient's zone.
    ny = QuestionnaireFacts(
        questionnaire_id="ny",
        completed_at=at(date(2026, 5, 2), 20, zone=NEW_YORK),
        answers=phq9_total("x", date(2026, 5, 2), 7).answers,
    )
    early = phq9_total("early", date(2026, 4, 1), 3)
    series = trend_series(score_all([late, ny, early, late]), BERLIN)
    points = series[Instrument.PHQ9]
    assert [(p.questionnaire_id, p.day, p.total, p.band) for p in points] == [
        ("early", date(2026, 4, 1), 3, "none_minimal"),
        ("late", date(2026, 5, 1), 12, "moderate"),
        ("ny", date(2026, 5, 3), 7, "mild"),
    ]
    assert series[Instrument.GAD7] == ()


def test_visit_comparison_never_reaches_back_before_the_visit() -> None:
    visit = ago(20)
    before = [attack(f"b{i}", at(visit - timedelta(days=1 + i))) for i in range(3)]
    since = [attack(f"s{i}", at(visit + timedelta(days=i))) for i in range(6)]
    days = diary([*before, *since], checkins(visit - timedelta(days=28), THROUGH))
    cmp = compare_with_visit(days, visit)
    assert (cmp.since_visit.first_day, cmp.since_visit.last_day) == (visit, THROUGH)
    assert (cmp.before_visit.first_day, cmp.before_visit.last_day) == (
        visit - timedelta(days=28),
        visit - timedelta(days=1),
    )
    assert (cmp.before_visit.headache_days, cmp.since_visit.headache_days) == (3, 6)
    assert cmp.headache_days_rise == 3
