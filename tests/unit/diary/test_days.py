"""Local calendar-day classification (clinical-kb §3.3 day definitions, ICHD-3 §3.1)."""

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.diary.domain.clinical.acute_drugs import AcuteClass
from services.diary.domain.clinical.days import DayRules, DayStatus, classify_days
from services.diary.domain.clinical.facts import CheckinFacts, IntakeFacts
from tests.unit.diary.builders import BERLIN, NEW_YORK, at, attack, checkins, diary, end_of

DAY = date(2026, 6, 10)
TOKYO = ZoneInfo("Asia/Tokyo")


def test_migraine_features_make_a_migraine_day() -> None:
    # ICHD-3 1.1 C (unilateral + moderate) and D (nausea).
    days = diary([attack("a", at(DAY), intensity=2, unilateral=True, nausea=True)])
    record = days.day(DAY)
    assert (record.status, record.headache, record.migraine) == (DayStatus.HEADACHE, True, True)
    assert record.peak_intensity == 2
    assert record.attack_ids == ("a",)


def test_tension_type_like_headache_is_a_headache_day_only() -> None:
    days = diary([attack("a", at(DAY), hours=5, intensity=1, photophobia=True)])
    record = days.day(DAY)
    assert record.headache
    assert not record.migraine  # C: 0 of 4; D: photophobia alone is not enough


def test_probable_migraine_counts_unless_switched_off() -> None:
    # C met (pulsating + moderate), D not: probable migraine (ICHD-3 1.5), KB §3.3 includes it.
    probable = attack("a", at(DAY), intensity=2, pulsating=True)
    assert diary([probable]).day(DAY).migraine
    strict = classify_days(
        [probable], [], BERLIN, as_of=end_of(DAY), rules=DayRules(count_probable_migraine=False)
    )
    assert strict.day(DAY).headache
    assert not strict.day(DAY).migraine


def test_short_untreated_headache_is_documented_but_not_a_headache_day() -> None:
    days = diary([attack("a", at(DAY), hours=0.4, intensity=3, unilateral=True, nausea=True)])
    record = days.day(DAY)
    assert record.status is DayStatus.HEADACHE_FREE
    assert not record.migraine  # features need a headache of ≥30 min
    assert record.onsets[0].attack_id == "a"


def test_short_headache_treated_with_an_nsaid_is_a_headache_day_not_a_migraine_day() -> None:
    record = diary([attack("a", at(DAY), hours=0.25, drugs=["ibuprofen"])]).day(DAY)
    assert (record.headache, record.migraine) == (True, False)
    assert record.acute_classes == {AcuteClass.SIMPLE_ANALGESIC}
    assert not record.migraine_specific_medication


def test_migraine_specific_drug_makes_a_migraine_day_whatever_the_features() -> None:
    record = diary([attack("a", at(DAY), hours=0.25, intensity=1, drugs=["sumatriptan"])]).day(DAY)
    assert (record.headache, record.migraine, record.migraine_specific_medication) == (
        True,
        True,
        True,
    )


def test_aura_makes_a_migraine_day_even_with_a_short_headache() -> None:
    assert diary([attack("a", at(DAY), hours=0.2, intensity=1, aura=True)]).day(DAY).migraine


def test_unknown_vs_headache_free() -> None:
    days = diary([], checkins(DAY, DAY, stress=3))
    assert days.day(DAY).status is DayStatus.HEADACHE_FREE
    assert days.day(DAY + timedelta(days=1)).status is DayStatus.UNKNOWN
    assert not days.day(DAY + timedelta(days=1)).documented


def test_unknown_drug_is_kept_but_not_an_acute_medication_day() -> None:
    record = diary([attack("a", at(DAY), drugs=["metoclopramide 10 mg"])]).day(DAY)
    assert record.unclassified_medications == ("metoclopramide 10 mg",)
    assert not record.acute_medication
    assert record.headache  # 3 h: a headache day on its duration


def test_attack_across_midnight_in_new_york_counts_on_both_local_days() -> None:
    # 22:00-02:00 EDT is 02:00-06:00 UTC: one UTC day, two local days of 2 h each.
    days = diary(
        [attack("a", at(DAY, 22, zone=NEW_YORK), hours=4)], through=DAY + timedelta(days=2),
        zone=NEW_YORK,
    )  # fmt: skip
    assert [d.day for d in days.records.values() if d.headache] == [DAY, DAY + timedelta(days=1)]


def test_short_spill_past_midnight_is_not_a_second_headache_day() -> None:
    days = diary([attack("a", at(DAY, 23, 0), hours=70 / 60)])  # ends 00:10
    assert days.day(DAY).headache
    assert not days.day(DAY + timedelta(days=1)).headache


def test_intake_counts_on_its_local_day_not_its_utc_day() -> None:
    # 08:00 in Tokyo is 23:00 UTC the day before.
    taken = at(DAY, 8, zone=TOKYO)
    base = attack("a", at(DAY, 7, zone=TOKYO), hours=3)
    with_drug = replace(base, medications=(IntakeFacts.named("Maxalt", taken),))
    days = diary([with_drug], through=DAY, zone=TOKYO)
    assert days.day(DAY).acute_classes == {AcuteClass.TRIPTAN}
    assert not days.day(DAY - timedelta(days=1)).documented


def test_spring_forward_durations_are_real_elapsed_time() -> None:
    # Berlin, 29 Mar 2026: 02:00 CET -> 03:00 CEST. 01:50 -> 03:15 on the clock is 25 min.
    dst_day = date(2026, 3, 29)
    start = at(dst_day, 1, 50)
    end = datetime(2026, 3, 29, 3, 15, tzinfo=BERLIN)
    short = replace(attack("a", start, hours=None), ended_at=end)
    assert (end - start) == timedelta(minutes=85)  # what naive same-zone arithmetic says
    assert not diary([short], through=dst_day).day(dst_day).headache


def test_fall_back_day_is_25_hours_and_counts_once() -> None:
    # New York, 1 Nov 2026: 02:00 EDT -> 01:00 EST. 01:20 EDT -> 01:40 EST is 80 min, not 20.
    day = date(2026, 11, 1)
    start = datetime(2026, 11, 1, 1, 20, tzinfo=NEW_YORK)
    end = datetime(2026, 11, 1, 1, 40, fold=1, tzinfo=NEW_YORK)
    days = diary(
        [replace(attack("a", start, hours=None), ended_at=end)], through=day, zone=NEW_YORK
    )
    assert days.day(day).headache
    # An attack across the whole 25-hour day, Oct 31 20:00 -> Nov 2 01:00 local: three days.
    long = replace(
        attack("b", at(day - timedelta(days=1), 20, zone=NEW_YORK), hours=None),
        ended_at=at(day + timedelta(days=1), 1, zone=NEW_YORK),
    )
    assert long.ended_at is not None
    assert long.ended_at.astimezone(UTC) - long.started_at.astimezone(UTC) == timedelta(hours=30)
    days = diary([long], through=day + timedelta(days=1), zone=NEW_YORK)
    assert [d.day for d in days.records.values() if d.headache] == [
        day - timedelta(days=1),
        day,
        day + timedelta(days=1),
    ]


def test_multi_day_attack_covers_each_day_it_spans() -> None:
    days = diary([attack("a", at(DAY, 18), hours=50, intensity=3, unilateral=True, nausea=True)])
    spanned = [DAY + timedelta(days=i) for i in range(3)]
    assert all(days.day(d).migraine and days.day(d).peak_intensity == 3 for d in spanned)
    assert len(days.day(DAY).onsets) == 1
    assert days.day(DAY + timedelta(days=1)).onsets == ()


def test_ongoing_attack_runs_until_as_of() -> None:
    ongoing = attack("a", at(DAY, 9), hours=None)
    days = classify_days([ongoing], [], BERLIN, as_of=at(DAY + timedelta(days=2), 12))
    assert [d.day for d in days.records.values() if d.headache] == [
        DAY + timedelta(days=i) for i in range(3)
    ]


def test_input_order_does_not_matter() -> None:
    attacks = [
        attack(f"a{i}", at(DAY + timedelta(days=i // 2), 6 + 8 * (i % 2)), drugs=drugs)
        for i, drugs in enumerate([["sumatriptan"], ["ibuprofen"], [], ["Fioricet"]] * 5)
    ]
    daily = checkins(DAY - timedelta(days=3), DAY + timedelta(days=12), stress=4)
    first = diary(attacks, daily, through=DAY + timedelta(days=12))
    rng = random.Random(7)
    rng.shuffle(attacks)
    rng.shuffle(daily)
    second = diary(attacks, daily, through=DAY + timedelta(days=12))
    assert first.records == second.records
    assert first.day(DAY).acute_classes == {AcuteClass.TRIPTAN, AcuteClass.SIMPLE_ANALGESIC}


def test_two_checkins_for_one_day_are_rejected() -> None:
    with pytest.raises(ValueError, match="two check-ins for 2026-06-10"):
        diary([], [CheckinFacts(day=DAY), CheckinFacts(day=DAY, stress=2)])
