"""The conflict engine: a patient's medication list and profile in, findings out.

Generic: every rule is data (knowledge/rules.yaml). At load time each rule's
selectors become sets of ingredients, and the rules are indexed by them: single-
drug rules by ingredient, multi-drug rules by (ingredient at a, ingredient at b).
An evaluation then only visits rules whose drugs are actually on the list, so
its cost follows the list and the findings, not the size of the rule book.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from services.care_team.domain.engine.facts import FactsCache
from services.care_team.domain.engine.findings import build_findings
from services.care_team.domain.engine.intakes import (
    apply_doses,
    courses,
    exposures,
    recognised_doses,
)
from services.care_team.domain.engine.knowledge import Knowledge, load_knowledge
from services.care_team.domain.engine.matching import RuleIndex, find_matches
from services.care_team.domain.engine.medlist import MedList, patient_facts
from services.care_team.domain.engine.model import (
    Finding,
    Intake,
    MedicationEntry,
    PatientProfile,
    ResolvedDrug,
)
from services.care_team.domain.engine.rulebook import Clause, Rule, RuleInfo
from services.care_team.domain.engine.tiers import window_days


class ConflictEngine:
    """Immutable after load; `evaluate` is pure and safe to call from any task or thread.

    Public surface: `load`, `version`, `max_washout`, `intake_lookback`, `exposure`,
    `washout_until`, `resolve`, `evaluate`, `rule` (metadata by KB id or alias; KeyError if
    unknown) and `rules`.
    """

    def __init__(self, knowledge: Knowledge) -> None:
        self._knowledge = knowledge
        self._catalogue = knowledge.catalogue
        self._vocab = knowledge.vocab
        self.version: str = knowledge.version
        # How long after its stop a drug can still count for some rule.
        self._relevance: dict[str, timedelta] = {}
        for rule in knowledge.rules.values():
            for clause in rule.clauses:
                self._note_relevance(rule, clause)
        self.max_washout: timedelta = max(self._relevance.values(), default=timedelta(0))
        self._index = RuleIndex(knowledge.rules.values(), self._catalogue)
        self._facts = FactsCache(self._catalogue, self._vocab.indications, self._relevance)
        self._windows = knowledge.windows
        #: How far back the caller should pass diary intakes to `evaluate`.
        self.intake_lookback: timedelta = knowledge.windows.lookback
        #: How long a logged dose counts as an exposure (and doses are counted over).
        self.exposure: timedelta = knowledge.windows.exposure

    @classmethod
    def load(cls, directory: Path | None = None) -> "ConflictEngine":
        """Load and validate the knowledge files (default: the packaged `knowledge/`)."""
        return cls(load_knowledge(directory))

    # -- metadata ---------------------------------------------------------------------
    def rule(self, rule_id: str) -> RuleInfo:
        rule_id = self._knowledge.aliases.get(rule_id, rule_id)
        return self._knowledge.rules[rule_id].info

    @property
    def rules(self) -> tuple[RuleInfo, ...]:
        return tuple(rule.info for rule in self._knowledge.rules.values())

    def resolve(self, name: str, rxcui: str | None) -> ResolvedDrug:
        product = self._catalogue.product(name, rxcui)
        if product is None:
            given = " ".join(name.lower().split())
            return ResolvedDrug(given, recognised=False, rxcui=rxcui, components=(given,))
        components = tuple(c.name for c in product.components)
        own = product.components[0].rxcui if len(components) == 1 else None
        return ResolvedDrug(product.name, True, own or rxcui, components)

    def washout_until(self, medication: MedicationEntry) -> datetime | None:
        """Until when a stopped medication still counts for some rule; None when it does not
        (still active, or its ingredients matter to no rule after a stop)."""
        if medication.active or medication.stopped_at is None:
            return None
        components = self.resolve(medication.name, medication.rxcui).components
        spans = [self._relevance[c] for c in components if c in self._relevance]
        return medication.stopped_at + max(spans) if spans else None

    # -- evaluation ---------------------------------------------------------------------
    def evaluate(
        self,
        medications: Sequence[MedicationEntry],
        profile: PatientProfile,
        now: datetime,
        intakes: Sequence[Intake] = (),
    ) -> list[Finding]:
        """Findings, most severe first. `intakes`: the doses the diary logged since
        `now - intake_lookback` (older ones are ignored)."""
        if intakes:
            return self._evaluate_with_doses(medications, profile, now, intakes)
        return self._evaluate(medications, profile, now)

    def _evaluate(
        self, medications: Sequence[MedicationEntry], profile: PatientProfile, now: datetime
    ) -> list[Finding]:
        vocab = self._vocab
        patient = patient_facts(profile, now.date(), vocab.childbearing_ages)
        medlist = MedList(medications, patient, now, self._facts)
        matches, suppressions = find_matches(self._index, medlist)
        return build_findings(matches, suppressions, medlist, vocab)

    def _evaluate_with_doses(
        self,
        medications: Sequence[MedicationEntry],
        profile: PatientProfile,
        now: datetime,
        intakes: Sequence[Intake],
    ) -> list[Finding]:
        doses = recognised_doses(intakes, self.resolve, now - self.intake_lookback)
        listed = courses(medications, self.resolve)
        exposed = exposures(doses, listed, now, self._windows.exposure)
        findings = self._evaluate([*medications, *exposed], profile, now)
        return apply_doses(findings, doses, listed, self._windows, now)

    # -- indexing -----------------------------------------------------------------------
    def _note_relevance(self, rule: Rule, clause: Clause) -> None:
        if rule.stopped is None:
            return
        for selector in clause.positions:
            for ingredient in selector.static:
                window = window_days(rule.stopped, self._catalogue.drugs[ingredient])
                if window is not None:
                    span = timedelta(days=window)
                    self._relevance[ingredient] = max(span, self._relevance.get(ingredient, span))
