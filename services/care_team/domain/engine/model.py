"""What the conflict engine takes and gives. Pure data; no I/O.

The engine (see `evaluator.py`) turns a patient's medication list and profile
into findings, using the versioned knowledge files in `knowledge/`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """System tiers of clinical-kb.md §0.2 (T0 suppressions produce no finding)."""

    CONTRAINDICATED = "contraindicated"  # T1
    MAJOR = "major"  # T2
    MODERATE = "moderate"  # T3
    MINOR = "minor"  # T4

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def interruptive(self) -> bool:
        """Only T1/T2 interrupt the clinician making the change; minor never does."""
        return self in (Severity.CONTRAINDICATED, Severity.MAJOR)


_RANK = {
    Severity.MINOR: 1,
    Severity.MODERATE: 2,
    Severity.MAJOR: 3,
    Severity.CONTRAINDICATED: 4,
}


class ConflictKind(StrEnum):
    """The `kind` values of the v1 `medication_conflict.flagged` contract."""

    SEROTONIN_TOXICITY = "serotonin_toxicity"
    PHARMACOKINETIC = "pharmacokinetic"
    CONTRAINDICATED = "contraindicated"
    DUPLICATE_THERAPY = "duplicate_therapy"
    WASHOUT = "washout"
    QT_PROLONGATION = "qt_prolongation"
    BLEEDING = "bleeding"
    CONDITION_CAUTION = "condition_caution"
    DOSE_LIMIT = "dose_limit"


@dataclass(frozen=True)
class MedicationEntry:
    """One prescription (or self-reported product) on the patient's list."""

    prescription_id: str
    name: str  # the name as given (generic, brand, or unknown), normalised to lower case
    rxcui: str | None
    dose: str | None  # free text as prescribed, e.g. "20 mg"
    frequency: str | None  # free text, e.g. "once daily", "twice daily", "as needed"
    route: str | None
    indication: str | None
    prescriber_id: str
    prescriber_role: str  # headache_specialist, psychiatrist, ..., self_reported
    active: bool
    started_at: datetime | None = None
    stopped_at: datetime | None = None  # set when not active


@dataclass(frozen=True)
class PatientProfile:
    birth_date: date | None = None
    sex: str | None = None  # "female" | "male" | "other" | None (unknown)
    pregnant: bool | None = None
    childbearing_potential: bool | None = None  # None: derive from sex and age
    effective_contraception: bool | None = None
    conditions: frozenset[str] = field(default_factory=frozenset)  # codes, see knowledge/


@dataclass(frozen=True)
class Evidence:
    source: str  # citation, e.g. "Imitrex (sumatriptan) USPI §4"
    url: str | None = None


@dataclass(frozen=True)
class ResolvedDrug:
    ingredient: str  # canonical generic name; the given name when not recognised
    recognised: bool
    rxcui: str | None = None
    components: tuple[str, ...] = ()  # ingredients of a combination product (else (ingredient,))


@dataclass(frozen=True)
class Intake:
    """A dose the patient logged in the diary: when it was actually taken."""

    name: str  # as logged (generic or brand)
    taken_at: datetime
    taken_on: date | None = None  # the patient's local calendar day; None: taken_at's date
    dose: str | None = None


@dataclass(frozen=True)
class WindowViolation:
    """Two doses (or a dose and a listed drug) closer together than a rule allows."""

    first: str  # ingredient taken (or on the list) first
    first_at: datetime | None  # when it was taken, or its prescription started (None: unknown)
    then: str  # ingredient taken inside the window
    then_at: datetime
    within: timedelta  # the rule's minimum gap


@dataclass(frozen=True)
class IntakeDays:
    """How often the diary shows an ingredient of a finding taken, over the look-back."""

    ingredient: str
    days: int  # distinct local calendar days with an intake
    last_taken_at: datetime
    over_days: int  # the span counted, ending at the evaluation


@dataclass(frozen=True, slots=True)  # slots: no per-finding __dict__ to build and free
class Finding:
    """One conflict the engine sees now. `key` is the conflict's identity per patient:
    the same rule on the same set of ingredients is the same conflict."""

    key: str
    rule_id: str
    kind: ConflictKind
    severity: Severity
    medications: tuple[str, ...]  # ingredients involved, sorted
    prescription_ids: tuple[str, ...]  # sorted, aligned with nothing: a set
    prescribers: tuple[str, ...]  # prescriber ids, sorted, distinct
    summary: str
    recommendation: str
    evidence: tuple[Evidence, ...]
    # When the finding only holds because a stopped drug is still inside its washout,
    # the moment it lapses (the service re-evaluates then). None: holds while the list holds.
    lapses_at: datetime | None = None
    # Daily doses (mg) of the involved prescriptions, to tell a material change (dose increase).
    daily_doses_mg: tuple[tuple[str, float | None], ...] = ()  # (prescription_id, mg/day)
    # From the diary: the dose taken inside a rule's time window (the tier is then the
    # window's), and how often the finding's drugs were taken lately.
    violation: WindowViolation | None = None
    intake_days: tuple[IntakeDays, ...] = ()


class _DeferredText:
    """`Finding.summary`: the engine stores (function, *arguments) in the slot and the text
    is built on first read, then kept. Most findings of an evaluation match a conflict that
    is already open and are never shown again: building every text up front was about a
    tenth of an evaluation. Every read (attribute, ==, hash, repr, pickle, replace) goes
    through here, so a Finding behaves as if the text had been there from the start."""

    __slots__ = ("_slot",)

    def __init__(self, slot: Any) -> None:
        self._slot = slot  # the member descriptor `slots=True` made for the field

    def __get__(self, finding: Finding | None, owner: type | None = None) -> Any:
        if finding is None:
            return self
        value = self._slot.__get__(finding, owner)
        if type(value) is tuple:  # not built yet; a race only builds the same text twice
            build: Callable[..., str] = value[0]
            value = build(*value[1:])
            self._slot.__set__(finding, value)
        return value

    def __set__(self, finding: Finding, value: str) -> None:
        self._slot.__set__(finding, value)


setattr(Finding, "summary", _DeferredText(Finding.__dict__["summary"]))  # noqa: B010
