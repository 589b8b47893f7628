"""Turning matched rules into `Finding`s: suppression, identity key, merge, order.

One finding per (rule, set of ingredients): several matches of the same rule on
the same ingredients (two prescriptions of sertraline, or both orders of a
symmetric pair) merge into one, at the most severe tier among them. Its readable
text is built when first read (texts.py).
"""

from datetime import datetime

from services.care_team.domain.engine.matching import Match
from services.care_team.domain.engine.medlist import Med, MedList
from services.care_team.domain.engine.model import (
    ConflictKind,
    Evidence,
    Finding,
    IntakeDays,
    Severity,
    WindowViolation,
)
from services.care_team.domain.engine.rulebook import SEVERITY, Vocab
from services.care_team.domain.engine.texts import summary

_new = object.__new__


class _Filling:
    """A Finding under construction: its fields are set one by one (plain slot stores, not
    the frozen dataclass's object.__setattr__ per field, most of the cost of a finding),
    then its class is switched to Finding: the same slots in the same order, so the same
    layout. test_findings checks the result equals a normally constructed Finding."""

    __slots__ = Finding.__slots__

    key: str
    rule_id: str
    kind: ConflictKind
    severity: Severity
    medications: tuple[str, ...]
    prescription_ids: tuple[str, ...]
    prescribers: tuple[str, ...]
    summary: object  # (function, *arguments) until read: see model._DeferredText
    recommendation: str
    evidence: tuple[Evidence, ...]
    lapses_at: datetime | None
    daily_doses_mg: tuple[tuple[str, float | None], ...]
    violation: WindowViolation | None
    intake_days: tuple[IntakeDays, ...]


def build_findings(  # noqa: PLR0915 - the per-finding hot loop, kept in one frame
    matches: list[Match], suppressions: list[Match], medlist: MedList, vocab: Vocab
) -> list[Finding]:
    """The findings of an evaluation's matches, most severe first (then rule id, key)."""
    # Key -> the first match of its finding not silenced by a T0 rule, and key -> all of
    # them for the few findings with several (None: none has).
    suppressed = _suppressed(suppressions) if suppressions else None
    groups: dict[str, Match] = {}
    merged: dict[str, list[Match]] | None = None
    for match in matches:
        if (
            suppressed is not None
            and match[2].rule_id in suppressed
            and _silenced(match, suppressed)
        ):
            continue
        first = groups.setdefault(match[1], match)
        if first is not match:
            merged = merged or {}
            merged.setdefault(match[1], [first]).append(match)
    # Several matches of one key: the most severe (which places the finding), with all
    # their drugs (and ingredients) and the last lapse.
    combined: dict[str, tuple[tuple[Med, ...], datetime | None]] = {}
    if merged is not None:
        for key, group in merged.items():
            groups[key], meds, lapses_at = _merge(group)
            combined[key] = (meds, lapses_at)
    patient = medlist.patient
    findings: list[Finding] = []
    for match in sorted(groups.values()):  # (tier, rule id, key): as the findings sort
        _, key, clause, best_meds, tier, best_lapses_at, ingredients = match
        meds, lapses_at = best_meds, best_lapses_at
        if combined and key in combined:
            meds, lapses_at = combined[key]
            ingredients = None
        if len(meds) == 2 and meds[0].uid != meds[1].uid:  # the usual finding: a pair
            a, b = meds
            if ingredients is None:
                x, y = a.ingredient, b.ingredient
                ingredients = (x, y) if x <= y else (y, x)
            one, two = a.entry, b.entry
            p, q = one.prescription_id, two.prescription_id
            # By prescription id, then (one id twice) ingredient.
            if q < p or (q == p and b.ingredient < a.ingredient):
                p, q, a, b = q, p, b, a
            prescriptions: tuple[str, ...] = (p, q)
            doses: tuple[tuple[str, float | None], ...] = (
                (p, a.facts.daily_mg),
                (q, b.facts.daily_mg),
            )
            x, y = one.prescriber_id, two.prescriber_id
            prescribers: tuple[str, ...] = (x,) if x == y else (x, y) if x < y else (y, x)
        elif len(meds) == 1:
            one = meds[0].entry
            ingredients = ingredients or (meds[0].ingredient,)
            prescriptions = (one.prescription_id,)
            prescribers = (one.prescriber_id,)
            doses = ((one.prescription_id, meds[0].facts.daily_mg),)
        else:
            ingredients, prescriptions, prescribers, doses = _parts(meds)
        finding = _new(_Filling)
        finding.key = key
        finding.rule_id = clause.rule_id
        finding.kind = clause.kind if lapses_at is None else clause.lapse_kind
        finding.severity = SEVERITY[tier]
        finding.medications = ingredients
        finding.prescription_ids = prescriptions
        finding.prescribers = prescribers
        # Built when first read (model._DeferredText): most findings are never shown.
        finding.summary = (summary, clause, best_meds, meds, patient, vocab, best_lapses_at)
        finding.recommendation = clause.recommendation
        finding.evidence = clause.evidence
        finding.lapses_at = lapses_at
        finding.daily_doses_mg = doses
        finding.violation = None  # the diary's part (intakes.apply_doses)
        finding.intake_days = ()
        finding.__class__ = Finding  # type: ignore[assignment]
        findings.append(finding)  # type: ignore[arg-type]  # a Finding by now (see above)
    return findings


def _suppressed(suppressions: list[Match]) -> dict[str, list[frozenset[Med]]]:
    """Rule id -> the sets of drugs T0 rules silence it for (a match with all of them)."""
    suppressed: dict[str, list[frozenset[Med]]] = {}
    for match in suppressions:
        drugs = frozenset(match[3])
        for target in match[2].rule.info.suppresses:
            suppressed.setdefault(target, []).append(drugs)
    return suppressed


def _silenced(match: Match, suppressed: dict[str, list[frozenset[Med]]]) -> bool:
    return any(drugs.issubset(match[3]) for drugs in suppressed[match[2].rule_id])


def _merge(group: list[Match]) -> tuple[Match, tuple[Med, ...], datetime | None]:
    """(the most severe match, all the drugs in order, when the last of them lapses)."""
    best = min(group, key=lambda m: (m[4], tuple(med.uid for med in m[3])))
    meds = tuple({m: None for match in group for m in match[3]})  # distinct, in order
    # The finding holds while any of its matches holds.
    lapses = [m[5] for m in group]
    return best, meds, None if None in lapses else max(x for x in lapses if x is not None)


_Parts = tuple[
    tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[tuple[str, float | None], ...]
]


def _parts(meds: tuple[Med, ...]) -> _Parts:
    """(ingredients, prescription ids, prescribers, daily doses) of a finding's drugs that
    are neither two prescriptions nor one (see build_findings for those)."""
    by_prescription: dict[str, float | None] = {}
    for med in meds:
        by_prescription.setdefault(med.entry.prescription_id, med.facts.daily_mg)
    return (
        tuple(sorted({m.ingredient for m in meds})),
        tuple(sorted(by_prescription)),
        tuple(sorted({m.entry.prescriber_id for m in meds})),
        tuple(sorted(by_prescription.items())),
    )
