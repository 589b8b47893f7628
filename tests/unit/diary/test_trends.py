"""Per-ISO-week chart series over a period, and questionnaire totals inside it."""

from datetime import date, timedelta

import pytest

from services.diary.domain.clinical.facts import CheckinFacts, Instrument
from services.diary.domain.clinical.measures import measures_between
from services.diary.domain.clinical.questionnaires import score_all
from services.diary.domain.clinical.trends import questionnaire_series, weekly_series
from tests.unit.diary.builders import at, attack, diary, phq9_total

# Wednesday 3 June .. Tuesday 16 June 2026: a partial week, a full week, a partial week.
FIRST, LAST = date(2026, 6, 3), date(2026, 6, 16)


def test_weeks_are_iso_weeks_cut_to_the_period_and_add_up_to_it() -> None:
    attacks = [
        attack("m1", at(date(2026, 6, 4)), intensity=3, unilateral=True, nausea=True,
               drugs=["sumatriptan"]),
        attack("t1", at(date(2026, 6, 9)), intensity=1),
        attack("t2", at(date(2026, 6, 10)), intensity=2, drugs=["ibuprofen"]),
        attack("out", at(date(2026, 6, 2)), intensity=3),  # the day before the period
    ]  # fmt: skip
    daily = [
        CheckinFacts(day=date(2026, 6, 8), mood=4, stress=8, sleep_hours=5.0),
        CheckinFacts(day=date(2026, 6, 9), mood=6, stress=None, sleep_hours=7.0),
        CheckinFacts(day=date(2026, 6, 15), mood=7, stress=2, sleep_hours=8.0, sleep_quality=6),
    ]
    days = diary(attacks, daily, through=date(2026, 6, 30))
    weeks = weekly_series(days, FIRST, LAST)
    assert [(w.week, w.first_day, w.last_day, w.days) for w in weeks] == [
        ("2026-W23", FIRST, date(2026, 6, 7), 5),
        ("2026-W24", date(2026, 6, 8), date(2026, 6, 14), 7),
        ("2026-W25", date(2026, 6, 15), LAST, 2),
    ]
    assert [(w.headache_days, w.migraine_days, w.acute_medication_days) for w in weeks] == [
        (1, 1, 1),
        (2, 0, 1),
        (0, 0, 0),
    ]
    assert weeks[1].mean_peak_intensity == pytest.approx(1.5)
    assert weeks[2].mean_peak_intensity is None
    assert [w.documented_days for w in weeks] == [1, 3, 1]
    period = measures_between(days, FIRST, LAST)
    assert sum(w.headache_days for w in weeks) == period.headache_days
    assert sum(w.documented_days for w in weeks) == period.documented_days

    assert (weeks[1].checkin_days, weeks[1].mean_mood, weeks[1].mean_sleep_hours) == (2, 5.0, 6.0)
    assert weeks[1].mean_stress == 8.0  # the unanswered rating is left out, not a zero
    assert weeks[1].mean_sleep_quality is None
    assert (weeks[0].checkin_days, weeks[0].mean_mood) == (0, None)


def test_a_one_day_period_is_one_point_and_a_reversed_one_an_error() -> None:
    days = diary([], through=LAST)
    [point] = weekly_series(days, LAST, LAST)
    assert (point.days, point.documented_days, point.headache_days) == (1, 0, 0)
    with pytest.raises(ValueError, match="ends before it starts"):
        weekly_series(days, LAST, FIRST)


def test_questionnaire_totals_are_those_completed_inside_the_period() -> None:
    scored = score_all(
        [
            phq9_total("before", FIRST - timedelta(days=1), 12),
            phq9_total("q1", FIRST, 9),
            phq9_total("q2", LAST, 5),
        ]
    )
    series = questionnaire_series(scored, diary([], through=LAST), FIRST, LAST)
    assert [(p.questionnaire_id, p.total, p.band) for p in series[Instrument.PHQ9]] == [
        ("q1", 9, "mild"),
        ("q2", 5, "mild"),
    ]
    assert series[Instrument.GAD7] == ()
