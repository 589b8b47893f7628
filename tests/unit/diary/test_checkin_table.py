"""Check-ins kept as rows: read as CheckinFacts, checked in bulk exactly as CheckinFacts is."""

import math
from datetime import date, timedelta

import pytest

from services.diary.domain.clinical.checkin_table import CheckinRow, CheckinTable
from services.diary.domain.clinical.facts import CheckinFacts

DAY = date(2026, 6, 10)


def row(day: date, *, mood: int | None = 5, stress: int | None = 3, sleep: float | None = 7.0,
        caffeine: float | None = None) -> CheckinRow:  # fmt: skip
    return (day, mood, stress, sleep, 6, None, None, None, caffeine)


def test_days_read_as_the_checkin_facts_they_hold() -> None:
    facts = [CheckinFacts(day=DAY, mood=5, stress=3), CheckinFacts(day=DAY + timedelta(1))]
    table = CheckinTable.of(facts)
    assert dict(table) == {f.day: f for f in facts}
    assert table[DAY] == facts[0]
    assert table.get(DAY - timedelta(days=1)) is None
    assert (DAY in table, len(table), list(table)) == (True, 2, [DAY, DAY + timedelta(1)])
    assert list(table.stress_ratings()) == [(DAY, 3)]


@pytest.mark.parametrize(
    "bad",
    [
        row(DAY, mood=11),
        row(DAY, stress=-1),
        row(DAY, sleep=24.5),
        row(DAY, sleep=math.nan),
        row(DAY, caffeine=math.inf),
    ],
)
def test_a_value_out_of_range_fails_as_checkin_facts_does(bad: CheckinRow) -> None:
    day, mood, stress, sleep_hours, quality, menstruation, alcohol, meals, caffeine = bad
    with pytest.raises(ValueError) as expected:
        CheckinFacts(
            day=day, mood=mood, stress=stress, sleep_hours=sleep_hours, sleep_quality=quality,
            menstruation=menstruation, alcohol_units=alcohol, skipped_meals=meals,
            caffeine_mg=caffeine,
        )  # fmt: skip
    good = [row(DAY - timedelta(days=n)) for n in range(1, 30)]
    with pytest.raises(ValueError, match=str(expected.value).replace("(", r"\(")):
        CheckinTable([*good, bad])


def test_the_first_row_out_of_range_is_the_one_reported() -> None:
    with pytest.raises(ValueError, match="mood must be between 0 and 10, got 12"):
        CheckinTable([row(DAY), row(DAY + timedelta(1), mood=12), row(DAY + timedelta(2), mood=-3)])


def test_two_checkins_for_one_day_are_an_error() -> None:
    with pytest.raises(ValueError, match=f"two check-ins for {DAY.isoformat()}"):
        CheckinTable([row(DAY), row(DAY + timedelta(days=1)), row(DAY, stress=2)])
