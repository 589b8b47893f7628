"""One evaluation's view of the patient: the medications that count, and profile facts.

Each prescription becomes one `Med` per ingredient (a combination product gives
one per component). Stopped prescriptions are kept only while some rule could
still count them (their longest washout); an ingredient that is also active on
another prescription is simply active, so its stopped copies are dropped.
"""

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from services.care_team.domain.engine.facts import Facts, FactsCache
from services.care_team.domain.engine.model import MedicationEntry, PatientProfile

_UNKNOWN = "unknown"
_new = object.__new__
_tuple_new = tuple.__new__


class Med:
    """One ingredient of one prescription on this evaluation's list.

    What it is (route, doses, indication codes, display name) is in `facts`, shared by
    every prescription with the same texts; `uid` is the prescription's position on the
    list, one per prescription.
    """

    __slots__ = ("active", "entry", "facts", "ingredient", "uid")

    def __init__(self, uid: int, entry: MedicationEntry, active: bool, facts: Facts) -> None:
        self.uid = uid
        self.entry = entry
        self.active = active
        self.facts = facts
        self.ingredient = facts.ingredient


class Patient(NamedTuple):
    """Profile facts for conditions; a bool None means not known."""

    age: int | None
    sex: str | None
    pregnant: bool | None
    childbearing_potential: bool | None
    effective_contraception: bool | None
    conditions: frozenset[str]


def patient_facts(
    profile: PatientProfile, today: date, childbearing_ages: tuple[int, int]
) -> Patient:
    age = None
    born = profile.birth_date
    if born is not None:
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    potential = profile.childbearing_potential
    sex = profile.sex.lower() if profile.sex else None
    if potential is None:
        if sex == "female":
            low, high = childbearing_ages
            potential = age is None or low <= age <= high
        elif sex == "male":
            potential = False
    facts = (
        age,
        sex,
        profile.pregnant,
        potential,
        profile.effective_contraception,
        frozenset(profile.conditions),
    )
    return _tuple_new(Patient, facts)  # Patient(*facts) without NamedTuple's Python __new__


def tristate(value: bool | None) -> str:
    """A known/unknown boolean as the values conditions list: true, false, unknown."""
    return _UNKNOWN if value is None else str(value).lower()


class MedList:
    """The medications that count now, indexed by ingredient (and as a bit set of them)."""

    __slots__ = ("active", "by_ingredient", "crowded", "memo", "now", "patient", "present")

    def __init__(
        self,
        medications: Sequence[MedicationEntry],
        patient: Patient,
        now: datetime,
        facts: FactsCache,
    ) -> None:
        self.now = now
        self.patient = patient
        parsed = facts.parsed
        parse = facts.parse
        by_ingredient: dict[str, list[Med]] = {}
        actives: list[Med] = []
        present = 0
        crowded = False  # some ingredient is on more than one prescription
        for uid, entry in enumerate(medications):
            key = (
                entry.name, entry.rxcui, entry.dose, entry.frequency, entry.route,
                entry.indication,
            )  # fmt: skip
            found = parsed.get(key)
            if found is None:
                found = parse(key)
            # `found` is empty for a name the catalogue does not know: no rule can match it.
            active = entry.active
            if not active:
                stop = entry.stopped_at
                if stop is None:
                    continue  # a stop without a date gives no washout to count from
                stopped_at: datetime = stop  # read below only for this stopped entry
            for fact in found:
                if not active:
                    window = fact.relevance
                    if window is None or stopped_at + window <= now:
                        continue
                ingredient = fact.ingredient
                med = _new(Med)  # Med(uid, entry, active, fact), without the call
                med.uid = uid
                med.entry = entry
                med.active = active
                med.facts = fact
                med.ingredient = ingredient
                if active:
                    actives.append(med)
                if ingredient in by_ingredient:
                    by_ingredient[ingredient].append(med)
                    crowded = True
                else:
                    by_ingredient[ingredient] = [med]
                    present |= fact.bit
        if crowded:
            _drop_stopped_copies(by_ingredient)
        self.by_ingredient = by_ingredient
        self.present = present
        self.crowded = crowded  # some ingredient has several Meds (else each has one)
        self.active = actives  # in list order
        # Conditions that look at the whole list keep their answers here (per evaluation).
        self.memo: dict[object, Any] = {}


def _drop_stopped_copies(by_ingredient: dict[str, list[Med]]) -> None:
    """An ingredient also active on another prescription is simply active."""
    for ingredient, meds in by_ingredient.items():
        if len(meds) > 1 and any(m.active for m in meds):
            by_ingredient[ingredient] = [m for m in meds if m.active]


Predicate = Callable[[Med], bool]
