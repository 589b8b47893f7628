"""One evaluation's view of the patient: the medications that count, and profile facts.

Each prescription becomes one `Med` per ingredient (a combination product gives
one per component). Stopped prescriptions are kept only while some rule could
still count them (their longest washout); an ingredient that is also active on
another prescription is simply active, so its stopped copies are dropped.
"""

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from services.care_team.domain.engine.catalogue import Catalogue, Drug
from services.care_team.domain.engine.doses import Dosing, daily_dose_mg, dose_mg, dosing
from services.care_team.domain.engine.model import MedicationEntry, PatientProfile
from services.care_team.domain.engine.spec import Node

_UNKNOWN = "unknown"


class Med:
    """One ingredient of one prescription, with what the selectors read from it."""

    __slots__ = (
        "_indications", "active", "display", "drug", "entry", "in_combination", "ingredient",
        "route", "uid",
    )  # fmt: skip

    def __init__(
        self, uid: int, drug: Drug, entry: MedicationEntry, route: str | None, in_combination: bool
    ) -> None:
        self.uid = uid  # the prescription's position on the list: one per prescription
        self.drug = drug
        self.ingredient = drug.name
        self.entry = entry
        self.active = entry.active
        self.route = route
        self.in_combination = in_combination
        self._indications: frozenset[str] | None = None
        self.display: str | None = None  # filled when a finding names it

    @property
    def dosing(self) -> Dosing:
        return dosing(self.entry.dose, self.entry.frequency)

    @property
    def daily_mg(self) -> float | None:
        return daily_dose_mg(self.entry.dose, self.entry.frequency)

    @property
    def dose_mg(self) -> float | None:
        return dose_mg(self.entry.dose)

    def indications(self, codes: "IndicationCodes") -> frozenset[str]:
        if self._indications is None:
            self._indications = codes.of(self.entry.indication)
        return self._indications


class IndicationCodes:
    """Indication text -> codes (rules.yaml `indications`), by contained words."""

    def __init__(self, node: Node) -> None:
        self._codes: list[tuple[str, tuple[tuple[str, ...], ...]]] = []
        for code, alternatives in node.entries():
            words: list[tuple[str, ...]] = []
            for alternative in alternatives.items():
                words.append(alternative.texts())
            self._codes.append((code, tuple(words)))
        self.codes = frozenset(code for code, _ in self._codes)
        self._cache: dict[str, frozenset[str]] = {}

    def of(self, text: str | None) -> frozenset[str]:
        if not text:
            return frozenset()
        found = self._cache.get(text)
        if found is None:
            clean = " ".join(re.sub(r"[^\w\s'-]", " ", text.lower()).split())
            found = frozenset(
                code
                for code, alternatives in self._codes
                if any(all(word in clean for word in words) for words in alternatives)
            )
            if len(self._cache) < 4096:
                self._cache[text] = found
        return found


@dataclass(frozen=True, slots=True)
class Patient:
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
    if profile.birth_date is not None:
        born = profile.birth_date
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    potential = profile.childbearing_potential
    if potential is None and profile.sex is not None:
        sex = profile.sex.lower()
        if sex == "female":
            low, high = childbearing_ages
            potential = age is None or low <= age <= high
        elif sex == "male":
            potential = False
    return Patient(
        age=age,
        sex=profile.sex.lower() if profile.sex else None,
        pregnant=profile.pregnant,
        childbearing_potential=potential,
        effective_contraception=profile.effective_contraception,
        conditions=frozenset(profile.conditions),
    )


def tristate(value: bool | None) -> str:
    """A known/unknown boolean as the values conditions list: true, false, unknown."""
    return _UNKNOWN if value is None else str(value).lower()


class MedList:
    """The medications that count now, indexed by ingredient."""

    __slots__ = ("active", "by_ingredient", "memo", "now", "patient")

    def __init__(
        self,
        medications: Sequence[MedicationEntry],
        patient: Patient,
        now: datetime,
        catalogue: Catalogue,
        relevance: Mapping[str, timedelta],
    ) -> None:
        self.now = now
        self.patient = patient
        by_ingredient: dict[str, list[Med]] = {}
        for uid, entry in enumerate(medications):
            stopped_at = entry.stopped_at
            if not entry.active and stopped_at is None:
                continue  # a stop without a date gives no washout to count from
            product = catalogue.product(entry.name, entry.rxcui)
            if product is None:
                continue  # not in the catalogue: no rule can match it
            route = catalogue.route(entry.route) or product.route
            for drug in product.components:
                if stopped_at is not None and not entry.active:
                    window = relevance.get(drug.name)
                    if window is None or stopped_at + window <= now:
                        continue
                combined = len(product.components) > 1
                med = Med(uid, drug, entry, route or drug.default_route, combined)
                by_ingredient.setdefault(drug.name, []).append(med)
        for ingredient, meds in by_ingredient.items():
            if len(meds) > 1 and any(m.active for m in meds):
                by_ingredient[ingredient] = [m for m in meds if m.active]
        self.by_ingredient = by_ingredient
        self.active = [m for meds in by_ingredient.values() for m in meds if m.active]
        # Conditions that look at the whole list keep their answers here (per evaluation).
        self.memo: dict[object, Any] = {}


Predicate = Callable[[Med], bool]
