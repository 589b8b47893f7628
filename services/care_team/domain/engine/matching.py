"""Matching the rules' clauses against one evaluation's list.

At load time the clauses are indexed by the ingredients they can match: single-drug
clauses by ingredient, two- and three-drug clauses by (ingredient at a) -> (ingredient
at b), each with the key its findings will have. The partners of an ingredient are
also kept as a bit mask (`Drug.bit`), so the partners on the list of each ingredient
on the list are one AND with the list's mask: an evaluation costs one step per
ingredient on the list plus one per candidate match, whatever the size of the rule book.
"""

from collections.abc import Collection
from datetime import datetime

from services.care_team.domain.engine.catalogue import Catalogue
from services.care_team.domain.engine.conditions import PatientTest
from services.care_team.domain.engine.medlist import Med, MedList, Patient
from services.care_team.domain.engine.model import ConflictKind
from services.care_team.domain.engine.rulebook import Clause, Rule
from services.care_team.domain.engine.selectors import active_matching
from services.care_team.domain.engine.tiers import stopped, tier

_PATIENTS = 1024  # patients whose gates are kept
# One way a clause matched: (`Clause.order` at its tier, its finding's key, clause, its
# drugs at a/b/c, tier, when it lapses or None, its sorted ingredients when known from the
# index). Matches sort as their findings do: (tier, rule id, key); keys are distinct.
Match = tuple[int, str, Clause, tuple[Med, ...], int, datetime | None, tuple[str, ...] | None]
# How a clause is tried on the drugs its index entry found.
GENERAL, FINDING, SUPPRESSION = 0, 1, 2  # FINDING/SUPPRESSION: matched when all active
# An index entry: (clause, the key of its findings on these ingredients, how, the
# ingredients sorted, `Clause.order` at the clause's own tier).
Row = tuple[Clause, str, int, tuple[str, ...], int]
_Built = tuple[Clause, str, int, None, int]  # a row for three drugs or a count
_Partner = tuple[str, tuple[Row, ...]]
RANK_BITS = 16  # rule ids' places in order fit in these (see Clause.order)


class RuleIndex:
    def __init__(self, rules: Collection[Rule], catalogue: Catalogue) -> None:
        single: dict[str, list[Row]] = {}
        pairs: dict[str, dict[str, list[Row]]] = {}
        counts: list[Clause] = []
        self._gates: list[tuple[int, PatientTest]] = []
        ranks = {rule_id: i for i, rule_id in enumerate(sorted(r.info.rule_id for r in rules))}
        assert len(ranks) < 1 << RANK_BITS
        for rule in rules:
            for clause in rule.clauses:
                _prepare(clause, ranks[rule.info.rule_id])
                if clause.gate is not None:
                    clause.gate_bit = 1 << len(self._gates)
                    self._gates.append((clause.gate_bit, clause.gate))
                if clause.count is not None:
                    counts.append(clause)
                elif len(clause.positions) == 1:
                    for x in sorted(clause.positions[0].static):
                        single.setdefault(x, []).append(_row(clause, x))
                else:
                    for x, y in _pairs(clause):
                        pairs.setdefault(x, {}).setdefault(y, []).append(_row(clause, x, y))
        # Per ingredient (at a): (its single-drug rows, the mask of its partners at b, bit
        # of b -> (b, rows)).
        self.entries: dict[str, tuple[tuple[Row, ...], int, dict[int, _Partner]]] = {}
        for x in single.keys() | pairs.keys():
            partners = pairs.get(x, {})
            bits = {catalogue.drugs[y].bit: (y, tuple(rows)) for y, rows in partners.items()}
            self.entries[x] = (tuple(single.get(x, ())), catalogue.mask(partners), bits)
        self.counts = tuple(counts)
        self.names = {drug.bit: name for name, drug in catalogue.drugs.items()}
        #: Patient -> the clauses it fails the gates of (`blocked`, which fills it).
        self.blocked_by: dict[Patient, int] = {}

    def blocked(self, patient: Patient) -> int:
        """The clauses (`Clause.gate_bit`) whose condition on the patient fails for this one.

        Kept per patient (bounded): profile facts, not an evaluation's result."""
        found = self.blocked_by.get(patient)
        if found is None:
            found = 0
            for bit, gate in self._gates:
                if not gate(patient):
                    found |= bit
            if len(self.blocked_by) >= _PATIENTS:
                self.blocked_by.clear()
            self.blocked_by[patient] = found
        return found


def _prepare(clause: Clause, rank: int) -> None:
    """Copy onto the clause what the hot loops read of its rule and positions."""
    rule, positions = clause.rule, clause.positions
    clause.rule_id = rule.info.rule_id
    clause.order = tuple(tier << RANK_BITS | rank for tier in range(5))
    clause.key_prefix = f"{clause.rule_id}:"
    clause.kind = rule.info.kind
    clause.lapse_kind = ConflictKind.WASHOUT if rule.stopped == "washout" else rule.info.kind
    clause.recommendation, clause.evidence = rule.info.recommendation, rule.info.evidence
    clause.tier = rule.tier
    clause.adjusted = bool(rule.modifiers or rule.cap)
    clause.plain = not (clause.adjusted or clause.when or clause.different_prescribers)
    clause.check_a = positions[0].check if positions else None
    clause.check_b = positions[1].check if len(positions) > 1 else None
    clause.third = positions[2] if len(positions) > 2 else None


def _row(clause: Clause, x: str, y: str | None = None) -> Row:
    prefix = clause.key_prefix
    key = f"{prefix}{x}" if y is None or x == y else f"{prefix}{min(x, y)}+{max(x, y)}"
    how = GENERAL
    if clause.plain and clause.check_a is None and clause.check_b is None and not clause.third:
        how = FINDING if clause.tier else SUPPRESSION
    ingredients = (x,) if y is None else (min(x, y), max(x, y))
    return clause, key, how, ingredients, clause.order[clause.tier]


def _pairs(clause: Clause) -> list[tuple[str, str]]:
    found = []
    for x in sorted(clause.positions[0].static):
        for y in sorted(clause.positions[1].static):
            if (x == y) != clause.same_ingredient:
                continue
            # A symmetric clause (a and b the same selector) sees each pair once.
            if clause.symmetric and x > y:
                continue
            found.append((x, y))
    return found


def find_matches(  # noqa: PLR0912 - the evaluation's hot loop, kept in one frame
    index: RuleIndex, medlist: MedList
) -> tuple[list[Match], list[Match]]:
    """The matches of an evaluation: (those of finding rules, those of T0 rules)."""
    out: list[Match] = []
    t0: list[Match] = []  # suppressions
    by_ingredient = medlist.by_ingredient
    present = medlist.present
    entries = index.entries
    blocked = index.blocked_by.get(medlist.patient)
    if blocked is None:
        blocked = index.blocked(medlist.patient)
    crowded = medlist.crowded
    for ingredient, meds in by_ingredient.items():
        entry = entries.get(ingredient)
        if entry is None:
            continue
        rows, mask, table = entry
        for row in rows:  # its single-drug clauses
            clause, key, how, _, _ = row
            if clause.gate_bit & blocked:
                continue
            check = clause.check_a
            for med in meds:
                if how == FINDING and med.active:
                    out.append((row[4], key, clause, (med,), clause.tier, None, row[3]))
                elif check is None or check(med):
                    _try(row, (med,), med.active, medlist, out, t0)
        hits = mask & present  # its partners on the list
        while hits:
            low = hits & -hits
            hits ^= low
            other, rows = table[low]
            second = by_ingredient[other]
            if crowded and (len(meds) > 1 or len(second) > 1):
                for row in rows:
                    if not row[0].gate_bit & blocked:
                        _pair(row, meds, second, medlist, out, t0, index.names)
                continue
            a, b = meds[0], second[0]  # one prescription each, the usual case
            if a.uid == b.uid:  # one prescription never conflicts with itself
                continue
            active = a.active and b.active
            for row in rows:
                clause, key, how, _, _ = row
                if clause.gate_bit & blocked:
                    continue
                if how and active:
                    match = (row[4], key, clause, (a, b), clause.tier, None, row[3])
                    (out if how == FINDING else t0).append(match)
                elif clause.third is not None:
                    _pair(row, meds, second, medlist, out, t0, index.names)
                elif (clause.check_a is None or clause.check_a(a)) and (
                    clause.check_b is None or clause.check_b(b)
                ):
                    _try(row, (a, b), active, medlist, out, t0)
    for clause in index.counts:
        _count(clause, medlist, out, t0)
    return out, t0


def _count(clause: Clause, ml: MedList, out: list[Match], t0: list[Match]) -> None:
    """A count clause: enough distinct active drugs (or prescriptions) it selects."""
    selector = clause.count
    assert selector is not None
    hits = selector.mask & ml.present  # its ingredients on the list
    if not hits or (not clause.distinct_prescriptions and hits.bit_count() < clause.at_least):
        return
    found = active_matching(selector, ml)
    distinct = (
        {m.uid for m in found} if clause.distinct_prescriptions else {m.ingredient for m in found}
    )
    if len(distinct) >= clause.at_least:
        row = (clause, clause.rule_id, GENERAL, None, 0)
        _try(row, tuple(found), True, ml, out, t0)


def _pair(
    row: Row | _Built,
    first: list[Med],
    second: list[Med],
    ml: MedList,
    out: list[Match],
    t0: list[Match],
    names: dict[int, str],
) -> None:
    clause = row[0]
    check_a, check_b, third = clause.check_a, clause.check_b, clause.third
    for a in first:
        if check_a is not None and not check_a(a):
            continue
        for b in second:
            # One prescription never conflicts with itself (nor do the parts of one
            # combination product).
            if a.uid == b.uid or (check_b is not None and not check_b(b)):
                continue
            active = a.active and b.active
            if third is None:
                _try(row, (a, b), active, ml, out, t0)
                continue
            hits = third.mask & ml.present & ~(a.facts.bit | b.facts.bit)
            while hits:
                low = hits & -hits
                hits ^= low
                for c in ml.by_ingredient[names[low]]:
                    if c.uid in (a.uid, b.uid) or (third.check and not third.check(c)):
                        continue
                    three = (a, b, c)
                    key = clause.key_prefix + "+".join(sorted({m.ingredient for m in three}))
                    _try((clause, key, GENERAL, None, 0), three, active and c.active, ml, out, t0)


def _try(
    row: Row | _Built,
    meds: tuple[Med, ...],
    active: bool,
    medlist: MedList,
    out: list[Match],
    t0: list[Match],
) -> None:
    """Record the match if its stopped drugs, prescribers and conditions allow it."""
    clause = row[0]
    lapses_at: datetime | None = None
    if not active:
        holds, lapses_at = stopped(clause.rule, meds, medlist.now)
        if not holds:
            return
    if clause.different_prescribers and meds[0].entry.prescriber_id == meds[1].entry.prescriber_id:
        return
    when = clause.when
    if when is not None and not when(medlist, meds):
        return
    found = tier(clause.rule, medlist, meds) if clause.adjusted else clause.tier
    match = (clause.order[found], row[1], clause, meds, found, lapses_at, row[3])
    (out if found else t0).append(match)
