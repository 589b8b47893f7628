"""Scoring PHQ-9, GAD-7, MIDAS and HIT-6 (clinical-kb §3.4), with exact band edges.

Answers are validated when they are built (facts.py), so scoring cannot fail on a value; the
error for a bad answer names its instrument and item. Unscored items (PHQ-9 item 10, MIDAS A
and B) are kept in the result but never enter the total.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import cast

from services.diary.domain.clinical.facts import (
    Answers,
    Gad7Answers,
    Hit6Answer,
    Hit6Answers,
    Instrument,
    MidasAnswers,
    Phq9Answers,
    QuestionnaireError,
    QuestionnaireFacts,
)

# KB §3.4: any PHQ-9 item 9 answer > 0 triggers a same-day clinician review.
PHQ9_ITEM9_POSITIVE = "phq9_item9_positive"
# KB §3.4: PHQ-9 ≥ 10 gave 88% sensitivity/specificity for major depression.
PHQ9_SCREEN_POSITIVE = "phq9_ge10"
# KB §3.4: GAD-7 ≥ 10 warrants further evaluation.
GAD7_FURTHER_EVALUATION = "gad7_ge10"

# HIT-6 answer scores (Kosinski 2003, KB §3.4).
HIT6_POINTS: Mapping[Hit6Answer, int] = MappingProxyType(
    {
        Hit6Answer.NEVER: 6,
        Hit6Answer.RARELY: 8,
        Hit6Answer.SOMETIMES: 10,
        Hit6Answer.VERY_OFTEN: 11,
        Hit6Answer.ALWAYS: 13,
    }
)


@dataclass(frozen=True, slots=True)
class Band:
    """One severity band; rank orders bands within an instrument (0 = least severe)."""

    code: str
    label: str
    rank: int
    low: int
    high: int  # inclusive


def _bands(*rows: tuple[str, str, int, int]) -> tuple[Band, ...]:
    return tuple(Band(code, label, rank, low, high) for rank, (code, label, low, high) in
                 enumerate(rows))  # fmt: skip


BANDS: Mapping[Instrument, tuple[Band, ...]] = MappingProxyType(
    {
        Instrument.PHQ9: _bands(
            ("none_minimal", "none/minimal", 0, 4),
            ("mild", "mild", 5, 9),
            ("moderate", "moderate", 10, 14),
            ("moderately_severe", "moderately severe", 15, 19),
            ("severe", "severe", 20, 27),
        ),
        Instrument.GAD7: _bands(
            ("minimal", "minimal", 0, 4),
            ("mild", "mild", 5, 9),
            ("moderate", "moderate", 10, 14),
            ("severe", "severe", 15, 21),
        ),
        # MIDAS grade IV is "≥21"; five items of at most 92 days bound the total at 460.
        Instrument.MIDAS: _bands(
            ("I", "grade I: little or no disability", 0, 5),
            ("II", "grade II: mild disability", 6, 10),
            ("III", "grade III: moderate disability", 11, 20),
            ("IV", "grade IV: severe disability", 21, 460),
        ),
        Instrument.HIT6: _bands(
            ("little_or_none", "little or no impact", 36, 49),
            ("some", "some impact", 50, 55),
            ("substantial", "substantial impact", 56, 59),
            ("severe", "severe impact", 60, 78),
        ),
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class QuestionnaireResult:
    instrument: Instrument
    total: int
    band: Band
    item_scores: tuple[int, ...]  # points per scored item, in item order
    flags: frozenset[str]
    unscored: tuple[tuple[str, int | None], ...] = ()  # kept for the record, not in the total


def band_for(instrument: Instrument, total: int) -> Band:
    for band in BANDS[instrument]:
        if band.low <= total <= band.high:
            return band
    raise QuestionnaireError(f"{instrument.value}: total {total} is outside every band")


def score_phq9(answers: Phq9Answers) -> QuestionnaireResult:
    total = sum(answers.items)
    flags = set()
    if answers.items[8] > 0:
        flags.add(PHQ9_ITEM9_POSITIVE)
    if total >= 10:
        flags.add(PHQ9_SCREEN_POSITIVE)
    return QuestionnaireResult(
        instrument=Instrument.PHQ9,
        total=total,
        band=band_for(Instrument.PHQ9, total),
        item_scores=answers.items,
        flags=frozenset(flags),
        unscored=(("functional_difficulty", answers.functional_difficulty),),
    )


def score_gad7(answers: Gad7Answers) -> QuestionnaireResult:
    total = sum(answers.items)
    return QuestionnaireResult(
        instrument=Instrument.GAD7,
        total=total,
        band=band_for(Instrument.GAD7, total),
        item_scores=answers.items,
        flags=frozenset({GAD7_FURTHER_EVALUATION} if total >= 10 else ()),
    )


def score_midas(answers: MidasAnswers) -> QuestionnaireResult:
    total = sum(answers.items)
    return QuestionnaireResult(
        instrument=Instrument.MIDAS,
        total=total,
        band=band_for(Instrument.MIDAS, total),
        item_scores=answers.items,
        flags=frozenset(),
        unscored=(("A_headache_days", answers.headache_days), ("B_pain", answers.pain)),
    )


def score_hit6(answers: Hit6Answers) -> QuestionnaireResult:
    points = tuple(HIT6_POINTS[answer] for answer in answers.items)
    total = sum(points)
    return QuestionnaireResult(
        instrument=Instrument.HIT6,
        total=total,
        band=band_for(Instrument.HIT6, total),
        item_scores=points,
        flags=frozenset(),
    )


def score(answers: Answers) -> QuestionnaireResult:
    match answers:
        case Phq9Answers():
            return score_phq9(answers)
        case Gad7Answers():
            return score_gad7(answers)
        case MidasAnswers():
            return score_midas(answers)
        case Hit6Answers():
            return score_hit6(answers)


def parse_answers(instrument: Instrument, values: Sequence[int | str]) -> Answers:
    """Typed answers from a flat list in item order, as a form or event carries them.

    PHQ-9 takes 9 items or 10 (the 10th is functional difficulty); MIDAS 5 or 7 (then A, B).
    Numeric items accept ints or digit strings.
    """
    match instrument:
        case Instrument.PHQ9:
            items = _ints("PHQ-9", values)
            if len(items) == 10:
                return Phq9Answers(items[:9], items[9])
            return Phq9Answers(items)
        case Instrument.GAD7:
            return Gad7Answers(_ints("GAD-7", values))
        case Instrument.MIDAS:
            items = _ints("MIDAS", values, letters="AB" if len(values) == 7 else "")
            if len(items) == 7:
                return MidasAnswers(items[:5], items[5], items[6])
            return MidasAnswers(items)
        case Instrument.HIT6:
            return Hit6Answers.parse(values)


def _ints(label: str, values: Sequence[int | str], letters: str = "") -> tuple[int, ...]:
    if set(map(type, values)) == _PLAIN_INT:  # stored answers: already whole numbers
        return tuple(cast("Sequence[int]", values))
    numbered = [str(n) for n in range(1, len(values) - len(letters) + 1)] + list(letters)
    out = []
    for name, value in zip(numbered, values, strict=True):
        if isinstance(value, str) and value.strip().isdigit():
            out.append(int(value))
        elif isinstance(value, int) and not isinstance(value, bool):
            out.append(value)
        else:
            raise QuestionnaireError(f"{label} item {name}: must be a whole number, got {value!r}")
    return tuple(out)


_PLAIN_INT = {int}  # bool is an int subclass, and not an answer


@dataclass(frozen=True, slots=True)
class ScoredQuestionnaire:
    facts: QuestionnaireFacts
    result: QuestionnaireResult

    @property
    def questionnaire_id(self) -> str:
        return self.facts.questionnaire_id


def score_all(questionnaires: Iterable[QuestionnaireFacts]) -> tuple[ScoredQuestionnaire, ...]:
    """Scored, oldest first; a questionnaire re-sent under the same id counts once."""
    unique: dict[str, QuestionnaireFacts] = {}
    for q in questionnaires:
        seen = unique.setdefault(q.questionnaire_id, q)
        if seen is not q and seen != q:
            raise ValueError(f"questionnaire {q.questionnaire_id} given twice, differently")
    ordered = sorted(unique.values(), key=_completion_order)
    return tuple(ScoredQuestionnaire(q, score(q.answers)) for q in ordered)


def _completion_order(q: QuestionnaireFacts) -> tuple[datetime, str]:
    # By instant, in UTC: each stored completed_at has its own offset object, and comparing
    # datetimes across tzinfo objects costs ~10x more (a whole history is sorted per read).
    return q.completed_at.astimezone(UTC), q.questionnaire_id
