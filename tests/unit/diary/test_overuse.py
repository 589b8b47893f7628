"""Medication-overuse screening: ICHD-3 8.2 thresholds, KB §3.2 counting, scenarios T19/T30."""

import random
from datetime import timedelta

from services.diary.domain.clinical.acute_drugs import AcuteClass
from services.diary.domain.clinical.overuse import (
    COMBINED,
    OveruseLevel,
    OveruseRules,
    assess_overuse,
)
from tests.unit.diary.builders import THROUGH, at, attack, checkins, diary, monthly

FIRST = THROUGH - timedelta(days=89)
DAILY = checkins(FIRST, THROUGH, stress=3)


def plan(*groups: tuple[int, list[str]]) -> list[tuple[int, list[str]]]:
    """(number of days, drugs) groups laid out on consecutive day indexes from 0."""
    out, index = [], 0
    for count, drugs in groups:
        out += [(index + i, drugs) for i in range(count)]
        index += count
    return out


def test_t19_butalbital_combination_12_days_for_3_months_is_8_2_5() -> None:
    attacks = monthly(THROUGH, 3, plan((12, ["butalbital/acetaminophen/caffeine"]), (4, [])))
    report = assess_overuse(diary(attacks, DAILY))
    combination = report.scope(AcuteClass.COMBINATION_ANALGESIC)
    assert combination.level is OveruseLevel.POSSIBLE_MOH
    assert combination.ichd_code == "8.2.5"
    assert [m.count for m in combination.months] == [12, 12, 12]
    assert report.headache_days == (16, 16, 16)
    assert report.flagged == (combination,)
    # One class over its own threshold: 8.2.6 does not apply.
    assert report.scope(COMBINED).level is OveruseLevel.NONE


def test_t30_triptan_9_and_ibuprofen_6_other_days_is_8_2_6_not_single_class() -> None:
    attacks = monthly(THROUGH, 3, plan((9, ["sumatriptan"]), (6, ["ibuprofen"]), (1, [])))
    report = assess_overuse(diary(attacks, DAILY))
    combined = report.scope(COMBINED)
    assert combined.level is OveruseLevel.POSSIBLE_MOH
    assert combined.ichd_code == "8.2.6"
    assert [m.count for m in combined.months] == [15, 15, 15]
    assert report.headache_days == (16, 16, 16)
    assert report.flagged == (combined,)  # no 8.2.2 or 8.2.3 flag
    triptan = report.scope(AcuteClass.TRIPTAN)
    assert triptan.level is OveruseLevel.WARNING  # 9 of 10: approaching, not overuse
    assert report.scope(AcuteClass.SIMPLE_ANALGESIC).level is OveruseLevel.NONE
    assert combined.classes_used == {AcuteClass.TRIPTAN, AcuteClass.SIMPLE_ANALGESIC}


def test_a_day_with_two_classes_counts_once_toward_the_total() -> None:
    # Triptan on days 0-8; ibuprofen on days 4-9: 10 distinct days, not 9 + 6 = 15.
    same_day = [
        attack(f"d{i}", at(THROUGH - timedelta(days=29 - i)), drugs=drugs)
        for i, drugs in [(i, ["sumatriptan"]) for i in range(9)]
        + [(i, ["ibuprofen"]) for i in range(4, 10)]
    ]
    # And one attack treated with both drugs on a day of its own: one more day, not two.
    both = attack("both", at(THROUGH - timedelta(days=5)), drugs=["sumatriptan", "ibuprofen"])
    report = assess_overuse(diary([*same_day, both], DAILY))
    current = report.scope(COMBINED).months[0]
    assert current.count == 11
    assert len(set(current.days)) == 11
    assert report.scope(AcuteClass.TRIPTAN).current_days == 10
    assert report.scope(AcuteClass.SIMPLE_ANALGESIC).current_days == 7


def test_two_months_over_the_threshold_is_a_warning_not_overuse() -> None:
    attacks = monthly(THROUGH, 2, plan((11, ["rizatriptan"]), (5, [])))
    report = assess_overuse(diary(attacks, DAILY))
    triptan = report.scope(AcuteClass.TRIPTAN)
    assert [m.count for m in triptan.months] == [11, 11, 0]
    assert triptan.months_at_threshold == 2
    assert triptan.level is OveruseLevel.WARNING
    assert report.flagged == ()


def test_overuse_without_15_headache_days_is_not_flagged_as_moh() -> None:
    attacks = monthly(THROUGH, 3, plan((11, ["rizatriptan"]), (3, [])))  # 14 headache days
    report = assess_overuse(diary(attacks, DAILY))
    assert report.headache_days == (14, 14, 14)
    assert report.scope(AcuteClass.TRIPTAN).level is OveruseLevel.WARNING
    assert report.flagged == ()


def test_warning_starts_two_days_below_each_threshold() -> None:
    def level(count: int, drug: str, scope: str) -> OveruseLevel:
        attacks = monthly(THROUGH, 1, plan((count, [drug])))
        return assess_overuse(diary(attacks, DAILY)).scope(scope).level

    assert level(7, "sumatriptan", AcuteClass.TRIPTAN) is OveruseLevel.NONE
    assert level(8, "sumatriptan", AcuteClass.TRIPTAN) is OveruseLevel.WARNING
    assert level(12, "naproxen", AcuteClass.SIMPLE_ANALGESIC) is OveruseLevel.NONE
    assert level(13, "naproxen", AcuteClass.SIMPLE_ANALGESIC) is OveruseLevel.WARNING


def test_one_class_alone_never_makes_an_8_2_6_total() -> None:
    # 12 days of simple analgesics: under their own ≥15 threshold, and one class is not 8.2.6.
    attacks = monthly(THROUGH, 3, plan((12, ["acetaminophen"]), (4, [])))
    report = assess_overuse(diary(attacks, DAILY))
    assert report.scope(COMBINED).months[0].count == 12
    assert report.scope(COMBINED).level is OveruseLevel.NONE
    assert report.flagged == ()


def test_months_are_rolling_30_day_windows_ending_on_the_assessment_day() -> None:
    report = assess_overuse(diary([], DAILY))
    months = report.scope(AcuteClass.TRIPTAN).months
    assert [(m.first_day, m.last_day) for m in months] == [
        (THROUGH - timedelta(days=29), THROUGH),
        (THROUGH - timedelta(days=59), THROUGH - timedelta(days=30)),
        (THROUGH - timedelta(days=89), THROUGH - timedelta(days=60)),
    ]
    assert report.documented_days == (30, 30, 30)


def test_gepants_count_under_8_2_8_unless_switched_off() -> None:
    attacks = monthly(THROUGH, 3, plan((6, ["ubrogepant"]), (5, ["lasmiditan"]), (5, [])))
    days = diary(attacks, DAILY)
    counted = assess_overuse(days)
    assert counted.scope(AcuteClass.GEPANT).ichd_code == "8.2.8"
    assert counted.scope(COMBINED).level is OveruseLevel.POSSIBLE_MOH  # 11 days, two classes
    ignored = assess_overuse(days, OveruseRules(count_gepants_ditans=False))
    assert all(s.scope not in {AcuteClass.GEPANT, AcuteClass.DITAN} for s in ignored.scopes)
    assert ignored.scope(COMBINED).months[0].count == 0


def test_input_order_does_not_change_the_report() -> None:
    attacks = monthly(THROUGH, 3, plan((9, ["sumatriptan"]), (6, ["ibuprofen"]), (1, [])))
    expected = assess_overuse(diary(attacks, DAILY))
    shuffled, daily = list(attacks), list(DAILY)
    random.Random(3).shuffle(shuffled)
    random.Random(4).shuffle(daily)
    assert assess_overuse(diary(shuffled, daily)) == expected


def test_combined_warning_needs_two_classes_in_the_current_month() -> None:
    mixed = monthly(THROUGH, 1, plan((5, ["sumatriptan"]), (3, ["ibuprofen"])))
    combined = assess_overuse(diary(mixed, DAILY)).scope(COMBINED)
    assert (combined.current_days, combined.level) == (8, OveruseLevel.WARNING)
    alone = monthly(THROUGH, 1, plan((9, ["sumatriptan"])))
    assert assess_overuse(diary(alone, DAILY)).scope(COMBINED).level is OveruseLevel.NONE
