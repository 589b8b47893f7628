"""The conflict engine: a patient's medication list and profile in, findings out.

Generic: every rule is data (knowledge/rules.yaml). At load time each rule's
selectors become sets of ingredients, and the rules are indexed by them: single-
drug rules by ingredient, multi-drug rules by (ingredient at a, ingredient at b).
An evaluation then only visits rules whose drugs are actually on the list, so
its cost follows the list and the findings, not the size of the rule book.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from services.care_team.domain.engine.findings import Match, finding
from services.care_team.domain.engine.knowledge import Knowledge, load_knowledge
from services.care_team.domain.engine.medlist import Med, MedList, patient_facts
from services.care_team.domain.engine.model import (
    Finding,
    MedicationEntry,
    PatientProfile,
    ResolvedDrug,
)
from services.care_team.domain.engine.rulebook import Clause, Rule, RuleInfo

_Index = dict[str, list[Clause]]


class ConflictEngine:
    """Immutable after load; `evaluate` is pure and safe to call from any task or thread.

    Public surface: `load`, `version`, `max_washout`, `washout_until`, `resolve`, `evaluate`, `rule`
    (metadata by KB id or alias; KeyError if unknown) and `rules`.
    """

    def __init__(self, knowledge: Knowledge) -> None:
        self._knowledge = knowledge
        self._catalogue = knowledge.catalogue
        self.version: str = knowledge.version
        self._single: _Index = defaultdict(list)
        self._pairs: dict[str, _Index] = defaultdict(lambda: defaultdict(list))
        self._counts: list[Clause] = []
        # How long after its stop a drug can still count for some rule.
        self._relevance: dict[str, timedelta] = {}
        for rule in knowledge.rules.values():
            for clause in rule.clauses:
                self._index(clause)
                self._note_relevance(rule, clause)
        self._single = dict(self._single)
        self._pairs = {a: dict(partners) for a, partners in self._pairs.items()}
        self.max_washout: timedelta = max(self._relevance.values(), default=timedelta(0))

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
        self, medications: Sequence[MedicationEntry], profile: PatientProfile, now: datetime
    ) -> list[Finding]:
        vocab = self._knowledge.vocab
        patient = patient_facts(profile, now.date(), vocab.childbearing_ages)
        medlist = MedList(medications, patient, now, self._catalogue, self._relevance)
        matches: list[Match] = []
        by_ingredient = medlist.by_ingredient
        for ingredient, meds in by_ingredient.items():
            for clause in self._single.get(ingredient, ()):
                check = clause.positions[0].check
                for med in meds:
                    if check is None or check(med):
                        self._try(clause, (med,), medlist, matches)
            partners = self._pairs.get(ingredient)
            if partners is None:
                continue
            for other in partners.keys() & by_ingredient.keys():
                for clause in partners[other]:
                    self._pair(clause, meds, by_ingredient[other], medlist, matches)
        for clause in self._counts:
            self._count(clause, medlist, matches)
        return self._findings(matches, medlist)

    def _pair(
        self,
        clause: Clause,
        first: list[Med],
        second: list[Med],
        medlist: MedList,
        out: list[Match],
    ) -> None:
        check_a, check_b = clause.positions[0].check, clause.positions[1].check
        for a in first:
            if check_a is not None and not check_a(a):
                continue
            for b in second:
                # One prescription never conflicts with itself (nor do the parts of
                # one combination product).
                if a.uid == b.uid or (check_b is not None and not check_b(b)):
                    continue
                if len(clause.positions) == 2:
                    self._try(clause, (a, b), medlist, out)
                    continue
                third = clause.positions[2]
                for ingredient in third.static & medlist.by_ingredient.keys():
                    if ingredient in (a.ingredient, b.ingredient):
                        continue
                    for c in medlist.by_ingredient[ingredient]:
                        if c.uid not in (a.uid, b.uid) and (third.check is None or third.check(c)):
                            self._try(clause, (a, b, c), medlist, out)

    def _count(self, clause: Clause, medlist: MedList, out: list[Match]) -> None:
        selector = clause.count
        assert selector is not None
        meds = tuple(m for m in medlist.active if selector.matches(m))
        distinct = (
            {m.uid for m in meds} if clause.distinct_prescriptions else {m.ingredient for m in meds}
        )
        if len(distinct) >= clause.at_least:
            self._try(clause, meds, medlist, out)

    def _try(
        self, clause: Clause, meds: tuple[Med, ...], medlist: MedList, out: list[Match]
    ) -> None:
        """Record the match if its stopped drugs, prescribers and conditions allow it."""
        rule = clause.rule
        lapses_at: datetime | None = None
        for med in meds:
            if med.active:
                continue
            stopped_at = med.entry.stopped_at
            if stopped_at is None:
                continue
            window = _window(rule, med)
            if window is None or (len(meds) > 1 and not any(m.active for m in meds)):
                return
            until = stopped_at + window
            if until <= medlist.now:
                return
            lapses_at = until if lapses_at is None else min(lapses_at, until)
        if (
            clause.different_prescribers
            and meds[0].entry.prescriber_id == meds[1].entry.prescriber_id
        ):
            return
        if clause.when is not None and not clause.when(medlist, meds):
            return
        tier = _tier(rule, medlist, meds) if rule.modifiers or rule.cap else rule.tier
        out.append(Match(clause, meds, tier, lapses_at))

    def _findings(self, matches: list[Match], medlist: MedList) -> list[Finding]:
        suppressed: dict[str, list[frozenset[Med]]] = defaultdict(list)
        for match in matches:
            if match.tier == 0:
                for target in match.clause.rule.info.suppresses:
                    suppressed[target].append(frozenset(match.meds))
        groups: dict[str, list[Match]] = defaultdict(list)
        for match in matches:
            if match.tier == 0:
                continue
            silencers = suppressed.get(match.clause.rule.info.rule_id)
            if silencers and any(s.issubset(match.meds) for s in silencers):
                continue
            groups[match.key()].append(match)
        vocab = self._knowledge.vocab
        findings = [finding(key, group, medlist, vocab) for key, group in groups.items()]
        findings.sort(key=lambda f: (-f.severity.rank, f.rule_id, f.key))
        return findings

    # -- indexing -----------------------------------------------------------------------
    def _index(self, clause: Clause) -> None:
        if clause.count is not None:
            self._counts.append(clause)
            return
        if len(clause.positions) == 1:
            for ingredient in clause.positions[0].static:
                self._single[ingredient].append(clause)
            return
        a, b = clause.positions[0].static, clause.positions[1].static
        for x in a:
            for y in b:
                if (x == y) != clause.same_ingredient:
                    continue
                # A symmetric clause (a and b the same selector) sees each pair once.
                if clause.symmetric and x > y:
                    continue
                self._pairs[x][y].append(clause)

    def _note_relevance(self, rule: Rule, clause: Clause) -> None:
        if rule.stopped is None:
            return
        for selector in clause.positions:
            for ingredient in selector.static:
                drug = self._catalogue.drugs[ingredient]
                window = _window_days(
                    rule.stopped, drug.washout_days, drug.inhibition_persists_days
                )
                if window is not None:
                    span = timedelta(days=window)
                    self._relevance[ingredient] = max(span, self._relevance.get(ingredient, span))


def _window(rule: Rule, med: Med) -> timedelta | None:
    if rule.stopped is None:
        return None
    days = _window_days(rule.stopped, med.drug.washout_days, med.drug.inhibition_persists_days)
    return None if days is None else timedelta(days=days)


def _window_days(stopped: str | int, washout: int | None, inhibition: int | None) -> int | None:
    if isinstance(stopped, int):
        return stopped
    return washout if stopped == "washout" else inhibition


def _tier(rule: Rule, medlist: MedList, meds: tuple[Med, ...]) -> int:
    tier = rule.tier
    if tier == 0:
        return 0
    for modifier in rule.modifiers:
        if modifier.when(medlist, meds):
            tier = modifier.tier if modifier.tier is not None else max(1, tier - modifier.raise_by)
    if rule.cap is not None:
        cap, unless = rule.cap
        if tier < cap and (unless is None or not unless(medlist, meds)):
            tier = cap
    return tier
