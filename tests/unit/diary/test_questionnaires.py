"""PHQ-9, GAD-7, MIDAS and HIT-6 scoring: band edges and validation (clinical-kb §3.4)."""

import re
from collections.abc import Callable

import pytest

from services.diary.domain.clinical.facts import (
    Gad7Answers,
    Hit6Answer,
    Hit6Answers,
    Instrument,
    MidasAnswers,
    Phq9Answers,
    QuestionnaireError,
)
from services.diary.domain.clinical.questionnaires import (
    GAD7_FURTHER_EVALUATION,
    PHQ9_ITEM9_POSITIVE,
    PHQ9_SCREEN_POSITIVE,
    parse_answers,
    score,
)

N, R, S, V, A = (
    Hit6Answer.NEVER,
    Hit6Answer.RARELY,
    Hit6Answer.SOMETIMES,
    Hit6Answer.VERY_OFTEN,
    Hit6Answer.ALWAYS,
)


def spread(total: int, count: int) -> tuple[int, ...]:
    """Item answers 0-3 summing to total, filled from item 1."""
    return tuple(min(3, max(0, total - 3 * i)) for i in range(count))


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "none_minimal"), (4, "none_minimal"), (5, "mild"), (9, "mild"), (10, "moderate"),
        (14, "moderate"), (15, "moderately_severe"), (19, "moderately_severe"),
        (20, "severe"), (27, "severe"),
    ],
)  # fmt: skip
def test_phq9_band_edges(total: int, band: str) -> None:
    items = spread(total, 9)
    assert sum(items) == total
    result = score(Phq9Answers(items))
    assert (result.total, result.band.code) == (total, band)
    assert result.item_scores == items


def test_phq9_known_answer_set_and_flags() -> None:
    result = score(Phq9Answers((1, 2, 1, 1, 0, 1, 2, 1, 1), functional_difficulty=2))
    assert result.total == 10
    assert result.band.code == "moderate"
    assert result.flags == {PHQ9_ITEM9_POSITIVE, PHQ9_SCREEN_POSITIVE}
    # Item 10 is kept for the record but never scored.
    assert result.unscored == (("functional_difficulty", 2),)


def test_phq9_item9_zero_is_not_flagged_even_when_severe() -> None:
    result = score(Phq9Answers((3, 3, 3, 3, 3, 3, 3, 3, 0)))
    assert result.band.code == "severe"
    assert PHQ9_ITEM9_POSITIVE not in result.flags


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"),
     (14, "moderate"), (15, "severe"), (21, "severe")],
)  # fmt: skip
def test_gad7_band_edges(total: int, band: str) -> None:
    result = score(Gad7Answers(spread(total, 7)))
    assert (result.total, result.band.code) == (total, band)
    assert (GAD7_FURTHER_EVALUATION in result.flags) == (total >= 10)


@pytest.mark.parametrize(
    ("items", "grade"),
    [
        ((0, 0, 0, 0, 0), "I"), ((1, 1, 1, 1, 1), "I"), ((2, 1, 1, 1, 1), "II"),
        ((2, 2, 2, 2, 2), "II"), ((3, 2, 2, 2, 2), "III"), ((4, 4, 4, 4, 4), "III"),
        ((5, 4, 4, 4, 4), "IV"), ((90, 90, 90, 90, 90), "IV"),
    ],
)  # fmt: skip
def test_midas_grade_edges(items: tuple[int, ...], grade: str) -> None:
    result = score(MidasAnswers(items, headache_days=30, pain=7))
    assert result.total == sum(items)
    assert result.band.code == grade
    # Items A and B are kept, not scored.
    assert result.unscored == (("A_headache_days", 30), ("B_pain", 7))


@pytest.mark.parametrize(
    ("answers", "total", "band"),
    [
        ((N, N, N, N, N, N), 36, "little_or_none"),
        ((A, S, R, N, N, N), 49, "little_or_none"),
        ((S, S, N, R, R, R), 50, "some"),
        ((V, S, S, R, R, R), 55, "some"),
        ((S, S, S, S, R, R), 56, "substantial"),
        ((V, S, S, S, S, R), 59, "substantial"),
        ((S, S, S, S, S, S), 60, "severe"),
        ((A, A, A, A, A, A), 78, "severe"),
    ],
)
def test_hit6_scores_and_band_edges(answers: tuple[Hit6Answer, ...], total: int, band: str) -> None:
    result = score(Hit6Answers(answers))
    assert (result.total, result.band.code) == (total, band)


def test_hit6_item_points() -> None:
    assert score(Hit6Answers((N, R, S, V, A, N))).item_scores == (6, 8, 10, 11, 13, 6)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Phq9Answers((0, 0, 0, 0, 0, 0, 0, 0, 4)), "PHQ-9 item 9"),
        (lambda: Phq9Answers((0, 0, 0, 0, 0, 0, 0, 0)), "PHQ-9: expected 9 items, got 8"),
        (lambda: Phq9Answers((0,) * 9, functional_difficulty=5), "PHQ-9 item 10"),
        (lambda: Phq9Answers((0, True, 0, 0, 0, 0, 0, 0, 0)), "PHQ-9 item 2"),
        (lambda: Gad7Answers((0, 0, -1, 0, 0, 0, 0)), "GAD-7 item 3"),
        (lambda: MidasAnswers((0, 0, 93, 0, 0)), "MIDAS item 3 (days of household work missed)"),
        (lambda: MidasAnswers((0,) * 5, pain=11), "MIDAS item B"),
        (lambda: Hit6Answers.parse(["never"] * 3 + ["often"] + ["never"] * 2), "HIT-6 item 4"),
    ],
)
def test_validation_errors_name_the_item(build: Callable[[], object], message: str) -> None:
    with pytest.raises(QuestionnaireError, match=re.escape(message)):
        build()


def test_parse_answers_from_a_flat_list() -> None:
    phq9 = parse_answers(Instrument.PHQ9, [1, 1, 1, 1, 1, 1, 1, 1, 1, "2"])
    assert isinstance(phq9, Phq9Answers)
    assert phq9.functional_difficulty == 2
    assert score(phq9).total == 9
    midas = parse_answers(Instrument.MIDAS, [1, 2, 3, 4, 5, 20, 6])
    assert isinstance(midas, MidasAnswers)
    assert (score(midas).total, midas.headache_days, midas.pain) == (15, 20, 6)
    hit6 = parse_answers(
        Instrument.HIT6, ["Never", "very often", "Always", "rarely"] + ["never"] * 2
    )
    assert score(hit6).total == 6 + 11 + 13 + 8 + 6 + 6
    with pytest.raises(QuestionnaireError, match="GAD-7 item 2: must be a whole number"):
        parse_answers(Instrument.GAD7, [0, "often", 0, 0, 0, 0, 0])
