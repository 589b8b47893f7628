"""A preventive's effect: baseline vs weeks 9-12 (clinical-kb §3.3, S72), and attribution."""

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from services.diary.domain.clinical.days import DiaryDays
from services.diary.domain.clinical.facts import AttackFacts
from services.diary.domain.clinical.preventive_effect import (
    MIN_DOCUMENTED_DAYS,
    EffectStatus,
    PreventiveEffect,
    preventive_effects,
)
from services.diary.domain.prescriptions import ChangeKind, MedicationChange
from shared.events.prescriptions import PrescriberRole
from tests.unit.diary.builders import at, attack, checkins, diary

START = date(2026, 3, 2)  # a Monday; day 0 of week 1
NEU, PSY = PrescriberRole.HEADACHE_SPECIALIST, PrescriberRole.PSYCHIATRIST
PRESCRIBER = {NEU: "dr-lindqvist", PSY: "dr-okafor"}


def day(offset: int) -> date:
    return START + timedelta(days=offset)


def rx(
    event_id: str,
    kind: ChangeKind,
    offset: int,
    role: PrescriberRole = NEU,
    *,
    name: str | None = "topiramate",
    prescription: str = "rx-top",
    prescriber: str | None = None,
    frequency: str | None = "twice daily",
    dose: str | None = "50 mg",
) -> MedicationChange:
    return MedicationChange(
        event_id=event_id,
        patient_id="p-1",
        prescription_id=prescription,
        kind=kind,
        effective_at=at(day(offset), 9),
        prescriber_id=prescriber or PRESCRIBER.get(role, "someone"),
        prescriber_role=role,
        medication_name=name,
        dose=dose,
        frequency=frequency,
    )


STARTED = rx("e-start", ChangeKind.STARTED, 0)


def migraine(aid: str, offset: int) -> AttackFacts:
    return attack(aid, at(day(offset)), intensity=3, unilateral=True, nausea=True)


def tension(aid: str, offset: int) -> AttackFacts:
    return attack(aid, at(day(offset)), intensity=1)  # a headache day, not a migraine day


def story(
    *,
    baseline_migraines: int = 8,
    after_migraines: int = 3,
    after_documented: int = 28,
    through_offset: int = 120,
) -> DiaryDays:
    """Baseline days -28..-1 and weeks 9-12 (days 56..83), check-ins on every day except
    the last days of weeks 9-12 beyond `after_documented`; titration attacks in between."""
    attacks = [migraine(f"b{i}", -2 - 3 * i) for i in range(baseline_migraines)]
    attacks += [tension("bt1", -1), tension("bt2", -27)]
    attacks += [migraine(f"t{i}", 10 + i) for i in range(10)]  # titration: never counted
    attacks += [migraine(f"a{i}", 56 + 5 * i) for i in range(after_migraines)]
    attacks += [tension("at1", 57)]
    daily = checkins(day(-28), day(55)) + checkins(day(56), day(56 + after_documented - 1))
    daily += checkins(day(84), day(through_offset))
    return diary(attacks, daily, through=day(through_offset))


def only(effects: Sequence[PreventiveEffect]) -> PreventiveEffect:
    assert len(effects) == 1, effects
    return effects[0]


def test_attributable_with_a_50_percent_drop_in_migraine_days() -> None:
    effect = only(preventive_effects(story(), [STARTED]))
    assert effect.status is EffectStatus.ATTRIBUTABLE
    assert (effect.baseline.first_day, effect.baseline.last_day) == (day(-28), day(-1))
    assert effect.weeks_9_to_12 is not None
    assert (effect.weeks_9_to_12.first_day, effect.weeks_9_to_12.last_day) == (day(56), day(83))
    assert (effect.baseline.documented_days, effect.weeks_9_to_12.documented_days) == (28, 28)
    assert effect.migraine_days is not None and effect.headache_days is not None
    assert (effect.migraine_days.baseline, effect.migraine_days.weeks_9_to_12) == (8, 3)
    assert effect.migraine_days.absolute == -5
    assert effect.migraine_days.percent == pytest.approx(-62.5)
    assert effect.responder_50 is True
    assert (effect.headache_days.baseline, effect.headache_days.weeks_9_to_12) == (10, 4)
    assert effect.headache_days.percent == pytest.approx(-60.0)
    assert effect.headache_days.reduction_at_least_50 is True
    assert effect.confounders == () and effect.missing == ()
    assert effect.drug.ingredient == "topiramate" and "CON-03" in effect.drug.source


def test_a_smaller_drop_is_attributable_but_no_response() -> None:
    effect = only(preventive_effects(story(after_migraines=5), [STARTED]))
    assert effect.status is EffectStatus.ATTRIBUTABLE
    assert effect.migraine_days is not None and effect.migraine_days.percent == pytest.approx(-37.5)
    assert effect.responder_50 is False


def test_exactly_half_is_a_response_and_no_baseline_days_give_no_percentage() -> None:
    half = only(preventive_effects(story(baseline_migraines=6, after_migraines=3), [STARTED]))
    assert half.responder_50 is True
    none = only(preventive_effects(story(baseline_migraines=0, after_migraines=1), [STARTED]))
    assert none.migraine_days is not None
    assert (none.migraine_days.absolute, none.migraine_days.percent) == (1, None)
    assert none.responder_50 is None


@pytest.mark.parametrize(("through_offset", "pending"), [(60, True), (83, True), (84, False)])
def test_pending_until_week_12_is_over_but_the_baseline_is_shown(
    through_offset: int, pending: bool
) -> None:
    effect = only(preventive_effects(story(through_offset=through_offset), [STARTED]))
    assert (effect.status is EffectStatus.PENDING) is pending
    assert effect.assessable_from == day(84)
    assert effect.span == (day(-28), day(83))
    assert effect.baseline.migraine_days == 8  # shown while pending
    if pending:
        assert effect.weeks_9_to_12 is None
        assert effect.migraine_days is None and effect.responder_50 is None


def test_too_few_documented_days_in_weeks_9_to_12_is_insufficient_data() -> None:
    short = only(preventive_effects(story(after_documented=MIN_DOCUMENTED_DAYS - 1), [STARTED]))
    assert short.status is EffectStatus.INSUFFICIENT_DATA
    assert short.weeks_9_to_12 is not None
    assert short.weeks_9_to_12.documented_days == MIN_DOCUMENTED_DAYS - 1
    assert short.missing == (f"weeks 9-12: 22 of 28 days documented; {MIN_DOCUMENTED_DAYS} needed",)
    assert short.migraine_days is None and short.responder_50 is None  # no number
    enough = only(preventive_effects(story(after_documented=MIN_DOCUMENTED_DAYS), [STARTED]))
    assert enough.status is EffectStatus.ATTRIBUTABLE


def test_an_undocumented_baseline_is_insufficient_data() -> None:
    attacks = [migraine(f"b{i}", -2 - 3 * i) for i in range(8)]  # only the attacks: 8 days
    days = diary(attacks, checkins(day(56), day(83)), through=day(90))
    effect = only(preventive_effects(days, [STARTED]))
    assert effect.status is EffectStatus.INSUFFICIENT_DATA
    assert effect.missing == (f"baseline: 8 of 28 days documented; {MIN_DOCUMENTED_DAYS} needed",)


def test_the_psychiatrist_changing_fluoxetine_in_the_window_makes_it_not_attributable() -> None:
    changes = [
        rx("e-flx-start", ChangeKind.STARTED, -200, PSY, name="fluoxetine", prescription="rx-flx",
           dose="20 mg"),
        STARTED,
        rx("e-flx-up", ChangeKind.CHANGED, 30, PSY, name="fluoxetine", prescription="rx-flx",
           dose="40 mg"),
    ]  # fmt: skip
    effect = only(preventive_effects(story(), changes))
    assert effect.status is EffectStatus.NOT_ATTRIBUTABLE
    assert [c.event_id for c in effect.confounders] == ["e-flx-up"]
    assert effect.confounders[0].medication_name == "fluoxetine"
    assert effect.responder_50 is True  # the numbers are still shown beside the reason


@pytest.mark.parametrize(("offset", "attributable"), [(-29, True), (-28, False), (83, False),
                                                       (84, True)])  # fmt: skip
def test_the_window_runs_from_the_first_baseline_day_to_the_last_day_of_week_12(
    offset: int, attributable: bool
) -> None:
    stop = rx("e-sert-stop", ChangeKind.STOPPED, offset, PSY, name=None, prescription="rx-s")
    effect = only(preventive_effects(story(through_offset=120), [STARTED, stop]))
    expected = EffectStatus.ATTRIBUTABLE if attributable else EffectStatus.NOT_ATTRIBUTABLE
    assert effect.status is expected


def test_changes_by_the_same_role_or_self_reported_products_keep_it_attributable() -> None:
    changes = [
        STARTED,
        rx("e-top-up", ChangeKind.CHANGED, 14, dose="100 mg"),  # titration by the starter
        rx("e-prop", ChangeKind.STARTED, 20, NEU, name="propranolol", prescription="rx-p",
           prescriber="dr-other-neurologist"),
        rx("e-sjw", ChangeKind.STARTED, 10, PrescriberRole.SELF_REPORTED,
           name="st john's wort", prescription="rx-sjw", prescriber="p-1"),
    ]  # fmt: skip
    effects = preventive_effects(story(), changes)
    assert [e.drug.ingredient for e in effects] == ["topiramate", "propranolol"]
    assert effects[0].status is EffectStatus.ATTRIBUTABLE
    assert effects[0].confounders == ()


def test_a_primary_care_change_counts_as_another_role() -> None:
    gp = rx("e-gp", ChangeKind.STARTED, 40, PrescriberRole.PRIMARY_CARE, name="lisinopril",
            prescription="rx-l", prescriber="dr-gp")  # fmt: skip
    effect = only(preventive_effects(story(), [STARTED, gp]))
    assert effect.status is EffectStatus.NOT_ATTRIBUTABLE


def test_pending_effects_list_the_confounders_known_so_far() -> None:
    change = rx("e-flx", ChangeKind.CHANGED, 5, PSY, name="fluoxetine", prescription="rx-flx")
    effect = only(preventive_effects(story(through_offset=40), [STARTED, change]))
    assert effect.status is EffectStatus.PENDING
    assert [c.event_id for c in effect.confounders] == ["e-flx"]


def test_only_preventives_count_and_rimegepant_only_every_other_day() -> None:
    changes = [
        rx("e1", ChangeKind.STARTED, 0, PSY, name="fluoxetine", prescription="a"),
        rx("e2", ChangeKind.STARTED, 0, name="rimegepant", prescription="b", frequency="as needed"),
        rx("e3", ChangeKind.STARTED, 0, name="rimegepant", prescription="c",
           frequency="75 mg every other day"),
        rx("e4", ChangeKind.STARTED, 0, name="Aimovig", prescription="d", frequency="monthly"),
        rx("e5", ChangeKind.STOPPED, 0, name=None, prescription="e"),  # name not known yet
    ]  # fmt: skip
    effects = preventive_effects(story(), changes)
    assert sorted(e.start.prescription_id for e in effects) == ["c", "d"]
    assert {e.drug.ingredient for e in effects} == {"rimegepant", "erenumab"}


def test_one_effect_per_prescription_from_its_first_start() -> None:
    again = rx("e-start-again", ChangeKind.STARTED, 3)
    effect = only(preventive_effects(story(), [again, STARTED]))
    assert effect.start.event_id == "e-start" and effect.started_on == START


def test_the_start_day_is_the_patients_local_day() -> None:
    # 23:30 UTC on 1 March is 00:30 on 2 March in Berlin: the start day is 2 March.
    late = replace(STARTED, effective_at=datetime.combine(day(-1), time(23, 30), tzinfo=UTC))
    effect = only(preventive_effects(story(), [late]))
    assert effect.started_on == START
    assert effect.baseline.last_day == day(-1)


def test_the_preventives_own_stop_is_reported() -> None:
    stop = rx("e-top-stop", ChangeKind.STOPPED, 70, name=None)
    effect = only(preventive_effects(story(), [STARTED, stop]))
    assert effect.stopped_on == day(70)
    assert effect.status is EffectStatus.ATTRIBUTABLE  # same role; shown, not judged
