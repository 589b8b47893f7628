"""Turning matched rules into `Finding`s: identity key, merge, readable text.

One finding per (rule, set of ingredients): several matches of the same rule on
the same ingredients (two prescriptions of sertraline, or both orders of a
symmetric pair) merge into one, at the most severe tier among them.
"""

from dataclasses import dataclass
from datetime import datetime

from services.care_team.domain.engine.catalogue import normalise_name
from services.care_team.domain.engine.medlist import Med, MedList
from services.care_team.domain.engine.model import ConflictKind, Finding
from services.care_team.domain.engine.rulebook import SEVERITY, Clause, Vocab


@dataclass(slots=True)
class Match:
    """One way a rule's clause matched the list."""

    clause: Clause
    meds: tuple[Med, ...]
    tier: int
    lapses_at: datetime | None  # the first washout of its stopped drugs to end; None: none stopped

    def key(self) -> str:
        rule_id = self.clause.rule.info.rule_id
        meds = self.meds
        if self.clause.count is not None:
            return rule_id
        if len(meds) == 1:
            return f"{rule_id}:{meds[0].ingredient}"
        if len(meds) == 2:
            a, b = meds[0].ingredient, meds[1].ingredient
            if a == b:  # two prescriptions of one ingredient (DUP-07)
                return f"{rule_id}:{a}"
            return f"{rule_id}:{a}+{b}" if a < b else f"{rule_id}:{b}+{a}"
        return f"{rule_id}:{'+'.join(sorted({m.ingredient for m in meds}))}"

    def order(self) -> tuple[int, tuple[int, ...]]:
        return self.tier, tuple(m.uid for m in self.meds)


def finding(key: str, matches: list[Match], medlist: MedList, vocab: Vocab) -> Finding:
    if len(matches) == 1:
        best = matches[0]
        meds = best.meds
        lapses_at = best.lapses_at
    else:
        best = min(matches, key=Match.order)
        meds = tuple({m: None for match in matches for m in match.meds})  # distinct, in order
        # The finding holds while any of its matches holds.
        lapses = [m.lapses_at for m in matches]
        lapses_at = None if None in lapses else max(x for x in lapses if x is not None)
    rule = best.clause.rule
    info = rule.info
    kind = info.kind
    if lapses_at is not None and rule.stopped == "washout":
        kind = ConflictKind.WASHOUT
    if len(meds) == 1:
        entry = meds[0].entry
        ingredients: tuple[str, ...] = (meds[0].ingredient,)
        prescriptions: tuple[str, ...] = (entry.prescription_id,)
        prescribers: tuple[str, ...] = (entry.prescriber_id,)
        doses: tuple[tuple[str, float | None], ...] = ((entry.prescription_id, meds[0].daily_mg),)
    elif len(meds) == 2 and meds[0].uid != meds[1].uid:
        first, second = meds
        if second.ingredient < first.ingredient:
            first, second = second, first
        ingredients = (first.ingredient, second.ingredient)
        one, two = first.entry, second.entry
        if two.prescription_id < one.prescription_id:
            one, two, first, second = two, one, second, first
        prescriptions = (one.prescription_id, two.prescription_id)
        prescribers = tuple(sorted({one.prescriber_id, two.prescriber_id}))
        doses = ((one.prescription_id, first.daily_mg), (two.prescription_id, second.daily_mg))
    else:
        by_prescription: dict[str, float | None] = {}
        for med in meds:
            by_prescription.setdefault(med.entry.prescription_id, med.daily_mg)
        ingredients = tuple(sorted({m.ingredient for m in meds}))
        prescriptions = tuple(sorted(by_prescription))
        prescribers = tuple(sorted({m.entry.prescriber_id for m in meds}))
        doses = tuple(sorted(by_prescription.items()))
    # Built like the dataclass's own __init__ would, minus its object.__setattr__ call per
    # field (frozen): a third of the cost of a finding. test_findings checks the result
    # equals a normally constructed Finding.
    new = object.__new__(Finding)
    new.__dict__.update(
        key=key,
        rule_id=info.rule_id,
        kind=kind,
        severity=SEVERITY[best.tier],
        medications=ingredients,
        prescription_ids=prescriptions,
        prescribers=prescribers,
        summary=_summary(best, meds, medlist, vocab),
        recommendation=info.recommendation,
        evidence=info.evidence,
        lapses_at=lapses_at,
        daily_doses_mg=doses,
    )
    return new


def _summary(best: Match, meds: tuple[Med, ...], medlist: MedList, vocab: Vocab) -> str:
    clause = best.clause
    values: dict[str, object] = {}
    for index, name, dose in clause.fills:
        med = best.meds[index]
        values[name] = as_prescribed(med) if dose else display(med)
    wanted = clause.placeholders
    if len(wanted) > len(clause.fills):  # the rarer list-wide placeholders
        _list_values(values, wanted, clause, meds, medlist, vocab)
    text = clause.summary.format_map(values)
    if best.lapses_at is not None:
        for med in best.meds:
            if not med.active and med.entry.stopped_at is not None:
                text += (
                    f" {display(med).capitalize()} was stopped on {med.entry.stopped_at.date()};"
                    f" it still counts until {best.lapses_at.date()}."
                )
    return text[:1].upper() + text[1:]


def _list_values(
    values: dict[str, object],
    wanted: frozenset[str],
    clause: Clause,
    meds: tuple[Med, ...],
    medlist: MedList,
    vocab: Vocab,
) -> None:
    if "drugs" in wanted:
        values["drugs"] = ", ".join(sorted({display(m) for m in meds}))
    if "count" in wanted:
        distinct = (
            {m.uid for m in meds} if clause.distinct_prescriptions else {m.ingredient for m in meds}
        )
        values["count"] = len(distinct)
    if "age" in wanted:
        age = medlist.patient.age
        values["age"] = age if age is not None else "unknown age"
    if "conditions" in wanted:
        found = sorted(clause.condition_codes & medlist.patient.conditions)
        values["conditions"] = (
            " and ".join(vocab.condition_names[c] for c in found) or "a listed condition"
        )


def display(med: Med) -> str:
    """The ingredient, plus the name as prescribed when that reads differently."""
    if med.display is None:
        given = normalise_name(med.entry.name)
        if not given or med.ingredient in given:
            med.display = med.ingredient
        elif med.in_combination:
            med.display = f"{med.ingredient} (in {med.entry.name})"
        else:
            med.display = f"{med.ingredient} ({med.entry.name})"
    return med.display


def as_prescribed(med: Med) -> str:
    entry = med.entry
    if entry.dose and entry.frequency:
        return f"{entry.dose} {entry.frequency}"
    return entry.dose or entry.frequency or "dose not recorded"
