"""Free-text doses and frequencies -> mg/day, PRN or scheduled."""

import pytest

from services.care_team.domain.engine import daily_dose_mg
from services.care_team.domain.engine.doses import dose_mg, doses_per_day, dosing


@pytest.mark.parametrize(
    ("dose", "frequency", "mg_per_day"),
    [
        ("20 mg", "once daily", 20.0),
        ("0.5 g", "twice daily", 1000.0),
        ("25mg", "at night", 25.0),
        ("25 MG", "Once Daily", 25.0),
        ("10 mg", "bid", 20.0),
        ("10 mg", "b.i.d.", 20.0),
        ("10 mg", "tid", 30.0),
        ("10 mg", "qid", 40.0),
        ("5 mg", "qd", 5.0),
        ("50 mg", "qhs", 50.0),
        ("50 mg", "at bedtime", 50.0),
        ("20 mg", "three times a day", 60.0),
        ("20 mg", "2 times per day", 40.0),
        ("100 mg", "every 8 hours", 300.0),
        ("100 mg", "q6h", 400.0),
        ("20 mg", "every other day", 10.0),
        ("75 mg", "every 48 hours", 37.5),
        ("70 mg", "weekly", 10.0),
        ("70 mg", "once a week", 10.0),
        ("140 mg", "monthly", 140 / 30),
        ("500 mcg", "twice daily", 1.0),
        ("1,000 mg", "once daily", 1000.0),
        ("10-20 mg", "once daily", 20.0),  # a range reads at its top (dose caps)
        ("2 x 25 mg", "twice daily", 100.0),
        ("40 mg/day", None, 40.0),
        ("40 mg per day", "as directed", 40.0),
        ("20 mg twice daily", None, 40.0),  # the frequency written in the dose
        ("50 mg", "as needed", None),
        ("50 mg", "PRN", None),
        ("5 mg", "every 4-6 hours as needed", None),
        ("40 mg", None, None),  # no frequency: unknown, not assumed
        ("20 mg", "as directed", None),
        ("two tablets", "daily", None),
        (None, "daily", None),
        ("155 units", "every 12 weeks", None),
        ("50/325/40 mg", "every 4 hours", None),  # strengths of a combination
    ],
)
def test_daily_dose_mg(dose: str | None, frequency: str | None, mg_per_day: float | None) -> None:
    if mg_per_day is None:
        assert daily_dose_mg(dose, frequency) is None
    else:
        assert daily_dose_mg(dose, frequency) == pytest.approx(mg_per_day, rel=1e-4)


@pytest.mark.parametrize(
    ("dose", "frequency", "expected"),
    [
        ("10 mg", "as needed", "prn"),
        ("10 mg", "at onset of migraine", "prn"),
        ("10 mg prn", None, "prn"),
        ("10 mg", "once daily", "scheduled"),
        ("40 mg/day", None, "scheduled"),
        ("10 mg", None, "unknown"),
        ("10 mg", "as directed", "unknown"),
    ],
)
def test_dosing(dose: str, frequency: str | None, expected: str) -> None:
    assert dosing(dose, frequency) == expected


def test_single_dose_and_doses_per_day() -> None:
    assert dose_mg("10 mg") == 10.0
    assert dose_mg("2.5mg") == 2.5
    assert dose_mg("40 mg/day") is None  # a daily total, not one dose
    assert dose_mg("one tablet") is None
    assert doses_per_day("four times daily") == 4.0
    assert doses_per_day("every 4 weeks") == pytest.approx(1 / 28)
    assert doses_per_day("as needed") is None
