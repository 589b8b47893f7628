"""Stress -> next-day headache association and its minimum-data rule (clinical-kb §3.5)."""

import math
import random
from dataclasses import replace
from datetime import date, timedelta

import pytest

from services.diary.domain.clinical.facts import AttackFacts, CheckinFacts
from services.diary.domain.clinical.stress import AssociationStatus, stress_association
from tests.unit.diary.builders import at, attack, diary

START = date(2026, 1, 1)


def units(
    outcomes: list[tuple[int, bool]], *, rate_headache_days: bool = False
) -> tuple[list[AttackFacts], list[CheckinFacts], date]:
    """Each (stress, headache next day) is two days: a rated headache-free day, then a day
    with a check-in but no stress rating, and an attack on it when the outcome is True."""
    attacks, daily = [], []
    day = START
    for index, (stress, headache) in enumerate(outcomes):
        daily.append(CheckinFacts(day=day, stress=stress))
        next_day = day + timedelta(days=1)
        rated = 9 if headache and rate_headache_days else None
        daily.append(CheckinFacts(day=next_day, stress=rated))
        if headache:
            attacks.append(attack(f"a{index}", at(next_day), intensity=2))
        day += timedelta(days=2)
    return attacks, daily, day - timedelta(days=1)


def table(a: int, b: int, c: int, d: int) -> list[tuple[int, bool]]:
    """high stress (8): a with a next-day headache, b without; low (2): c with, d without."""
    rows = [(8, True)] * a + [(8, False)] * b + [(2, True)] * c + [(2, False)] * d
    random.Random(1).shuffle(rows)
    return rows


def test_relative_risk_with_counts_and_interval() -> None:
    attacks, daily, last = units(table(8, 12, 3, 17))
    result = stress_association(diary(attacks, daily, through=last))
    assert result.status is AssociationStatus.COMPUTED
    assert result.missing == ()
    assert result.at_risk_days == 40
    assert result.high_stress_from == 6  # 20 ratings of 2 and 20 of 8: the median is 5
    assert (result.high_days, result.high_next_day_headaches) == (20, 8)
    assert (result.low_days, result.low_next_day_headaches) == (20, 3)
    assert result.relative_risk == pytest.approx((8 / 20) / (3 / 20))
    se = math.sqrt(1 / 8 - 1 / 20 + 1 / 3 - 1 / 20)
    assert result.ci95 == pytest.approx(
        (math.exp(math.log(8 / 3) - 1.96 * se), math.exp(math.log(8 / 3) + 1.96 * se)), rel=1e-3
    )


def test_ratings_on_headache_days_are_not_at_risk_days() -> None:
    attacks, daily, last = units(table(8, 12, 3, 17), rate_headache_days=True)
    result = stress_association(diary(attacks, daily, through=last))
    assert result.at_risk_days == 40
    assert result.relative_risk == pytest.approx(8 / 3)


def test_too_few_days_is_insufficient_and_says_what_is_missing() -> None:
    attacks, daily, last = units(table(3, 5, 1, 6))
    result = stress_association(diary(attacks, daily, through=last))
    assert result.status is AssociationStatus.INSUFFICIENT_DATA
    assert result.relative_risk is None
    assert result.missing == (
        "28 headache-free days with a stress rating and a documented next day; have 15",
        "5 next days with a headache; have 4",
    )


def test_ratings_on_the_median_go_to_the_side_that_balances_the_groups() -> None:
    # 8 ratings of 8 and 7 of 2: the median is 8; "above 8" would leave no high group.
    attacks, daily, last = units(table(3, 5, 1, 6))
    result = stress_association(diary(attacks, daily, through=last))
    assert (result.high_stress_from, result.high_days, result.low_days) == (8, 8, 7)


def test_unvarying_stress_is_insufficient() -> None:
    rows = [(5, True)] * 10 + [(5, False)] * 30
    attacks, daily, last = units(rows)
    result = stress_association(diary(attacks, daily, through=last))
    assert result.status is AssociationStatus.INSUFFICIENT_DATA
    assert result.missing == (
        "5 days in each of the high- and low-stress groups; have 0 and 40"
        " (stress ratings vary too little)",
    )


def test_undocumented_next_days_are_not_pairs() -> None:
    attacks, daily, last = units(table(8, 12, 3, 17))
    # Drop every unrated next-day check-in that has no attack: those days become unknown.
    attacked = {a.started_at.date() for a in attacks}
    sparse = [c for c in daily if c.stress is not None or c.day in attacked]
    result = stress_association(diary(attacks, sparse, through=last))
    assert result.at_risk_days == 8 + 3
    assert result.status is AssociationStatus.INSUFFICIENT_DATA


def test_the_last_day_has_no_next_day_yet() -> None:
    attacks, daily, last = units(table(8, 12, 3, 17))
    extra = replace(daily[-1], stress=7)  # the last day itself is rated now
    result = stress_association(diary(attacks, [*daily[:-1], extra], through=last))
    assert result.at_risk_days == 40
