"""What the clinical core is given: attacks, intakes, check-ins and questionnaire answers.

Plain frozen values with their own range checks; another layer maps stored diary records onto
them. Times are timezone-aware instants; which calendar day they fall on is decided later, in
the patient's zone (days.py). A feature that was not answered is None and counts as absent.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from services.diary.domain.clinical.acute_drugs import AcuteClass, acute_class_of

# The contract's vocabulary (relief at 2 h per the IHS endpoints, KB §3.3; the instruments).
from shared.events.diary import Instrument as Instrument  # noqa: PLC0414 - re-exported
from shared.events.diary import Relief as Relief  # noqa: PLC0414 - re-exported


def _require_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")


def _check_range(value: float | None, low: float, high: float, what: str) -> None:
    if value is not None and not low <= value <= high:
        raise ValueError(f"{what} must be between {low} and {high}, got {value}")


@dataclass(frozen=True, slots=True, kw_only=True)
class IntakeFacts:
    """One intake of a drug. acute_class None: not a known acute headache drug."""

    name: str
    acute_class: AcuteClass | None
    taken_at: datetime
    dose: str | None = None

    def __post_init__(self) -> None:
        _require_aware(self.taken_at, "taken_at")

    @classmethod
    def named(cls, name: str, taken_at: datetime, dose: str | None = None) -> "IntakeFacts":
        """An intake whose class is looked up from the drug table (acute_drugs.py)."""
        return cls(name=name, acute_class=acute_class_of(name), taken_at=taken_at, dose=dose)


@dataclass(frozen=True, slots=True, kw_only=True)
class AttackFacts:
    """A headache attack. ended_at None: still ongoing. Intensity 1 mild, 2 moderate, 3 severe."""

    attack_id: str
    started_at: datetime
    ended_at: datetime | None
    intensity: int
    # ICHD-3 1.1 C (pain) and D (accompanying) features, and 1.2 aura (KB §3.1).
    unilateral: bool | None = None
    pulsating: bool | None = None
    aggravated_by_activity: bool | None = None
    nausea: bool | None = None
    vomiting: bool | None = None
    photophobia: bool | None = None
    phonophobia: bool | None = None
    aura: bool | None = None
    aura_symptoms: tuple[str, ...] = ()
    triggers: tuple[str, ...] = ()
    medications: tuple[IntakeFacts, ...] = ()
    relief_at_2h: Relief | None = None

    def __post_init__(self) -> None:
        _require_aware(self.started_at, "started_at")
        if self.ended_at is not None:
            _require_aware(self.ended_at, "ended_at")
            if self.ended_at < self.started_at:
                raise ValueError(f"attack {self.attack_id}: ended_at is before started_at")
        if self.intensity not in (1, 2, 3):
            raise ValueError(f"attack {self.attack_id}: intensity must be 1, 2 or 3")


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckinFacts:
    """The daily check-in, on the patient's local calendar day (KB §3.5 suggested fields)."""

    day: date
    mood: int | None = None  # 0 worst .. 10 best
    stress: int | None = None  # 0 none .. 10 extreme
    sleep_hours: float | None = None
    sleep_quality: int | None = None  # 0 .. 10
    menstruation: bool | None = None
    alcohol_units: float | None = None
    skipped_meals: int | None = None
    caffeine_mg: float | None = None

    def __post_init__(self) -> None:
        for field, low, high in CHECKIN_RANGES:
            _check_range(getattr(self, field), low, high, field)


# Each check-in field's allowed range, in field order (CheckinTable checks rows in bulk).
CHECKIN_RANGES: tuple[tuple[str, int, int], ...] = (
    ("mood", 0, 10),
    ("stress", 0, 10),
    ("sleep_hours", 0, 24),
    ("sleep_quality", 0, 10),
    ("alcohol_units", 0, 100),
    ("skipped_meals", 0, 10),
    ("caffeine_mg", 0, 5000),
)


# ---- Questionnaires (KB §3.4). Answers are checked here so every error names its item. ----


class QuestionnaireError(ValueError):
    """An answer set that cannot be scored; the message names the instrument and item."""


def _check_items(label: str, items: tuple[int, ...], count: int, high: int) -> None:
    if len(items) != count:
        raise QuestionnaireError(f"{label}: expected {count} items, got {len(items)}")
    # Every stored questionnaire is rebuilt on each read: check plain ints in bulk, and name
    # the failing item (below) only when there is one.
    if set(map(type, items)) == _PLAIN_INT and min(items) >= 0 and max(items) <= high:
        return
    for number, value in enumerate(items, start=1):
        _check_item(f"{label} item {number}", value, high)


_PLAIN_INT = {int}


def _check_item(what: str, value: object, high: int) -> None:
    # bool is an int in Python; True is not an answer.
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        raise QuestionnaireError(f"{what}: must be an integer 0-{high}, got {value!r}")


@dataclass(frozen=True, slots=True)
class Phq9Answers:
    """Items 1-9 scored 0-3; item 10 (functional difficulty, 0-3) is kept, not scored."""

    items: tuple[int, ...]
    functional_difficulty: int | None = None

    def __post_init__(self) -> None:
        _check_items("PHQ-9", self.items, 9, 3)
        if self.functional_difficulty is not None:
            _check_item("PHQ-9 item 10", self.functional_difficulty, 3)


@dataclass(frozen=True, slots=True)
class Gad7Answers:
    items: tuple[int, ...]

    def __post_init__(self) -> None:
        _check_items("GAD-7", self.items, 7, 3)


# MIDAS counts days in the last 3 months: at most 92 calendar days.
MIDAS_MAX_DAYS = 92
MIDAS_ITEM_NAMES = (
    "days of work or school missed",
    "days with work or school productivity at least halved",
    "days of household work missed",
    "days with household productivity at least halved",
    "days of family, social or leisure activity missed",
)


@dataclass(frozen=True, slots=True)
class MidasAnswers:
    """Five scored day counts; A (headache days) and B (pain 0-10) are kept, not scored."""

    items: tuple[int, ...]
    headache_days: int | None = None  # item A
    pain: int | None = None  # item B

    def __post_init__(self) -> None:
        if len(self.items) != len(MIDAS_ITEM_NAMES):
            raise QuestionnaireError(f"MIDAS: expected 5 items, got {len(self.items)}")
        for number, (value, name) in enumerate(zip(self.items, MIDAS_ITEM_NAMES, strict=True)):
            _check_item(f"MIDAS item {number + 1} ({name})", value, MIDAS_MAX_DAYS)
        if self.headache_days is not None:
            _check_item("MIDAS item A (headache days)", self.headache_days, MIDAS_MAX_DAYS)
        if self.pain is not None:
            _check_item("MIDAS item B (pain 0-10)", self.pain, 10)


class Hit6Answer(StrEnum):
    NEVER = "never"
    RARELY = "rarely"
    SOMETIMES = "sometimes"
    VERY_OFTEN = "very_often"
    ALWAYS = "always"


def _hit6_answer(number: int, value: object) -> Hit6Answer:
    text = value.strip().lower().replace(" ", "_") if isinstance(value, str) else ""
    try:
        return Hit6Answer(text)
    except ValueError:
        allowed = ", ".join(a.value for a in Hit6Answer)
        message = f"HIT-6 item {number}: must be one of {allowed}, got {value!r}"
        raise QuestionnaireError(message) from None


@dataclass(frozen=True, slots=True)
class Hit6Answers:
    items: tuple[Hit6Answer, ...]

    def __post_init__(self) -> None:
        if len(self.items) != 6:
            raise QuestionnaireError(f"HIT-6: expected 6 items, got {len(self.items)}")
        for number, value in enumerate(self.items, start=1):
            _hit6_answer(number, value)

    @classmethod
    def parse(cls, values: Sequence[object]) -> "Hit6Answers":
        """From plain strings as a form sends them ("Very often", "very_often")."""
        if len(values) != 6:
            raise QuestionnaireError(f"HIT-6: expected 6 items, got {len(values)}")
        return cls(tuple(_hit6_answer(n, v) for n, v in enumerate(values, start=1)))


Answers = Phq9Answers | Gad7Answers | MidasAnswers | Hit6Answers
_INSTRUMENT_OF: dict[type[Answers], Instrument] = {
    Phq9Answers: Instrument.PHQ9,
    Gad7Answers: Instrument.GAD7,
    MidasAnswers: Instrument.MIDAS,
    Hit6Answers: Instrument.HIT6,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class QuestionnaireFacts:
    """One completed questionnaire; questionnaire_id identifies it across re-sends."""

    questionnaire_id: str
    completed_at: datetime
    answers: Answers

    def __post_init__(self) -> None:
        _require_aware(self.completed_at, "completed_at")

    @property
    def instrument(self) -> Instrument:
        return _INSTRUMENT_OF[type(self.answers)]
