"""A finding's summary, built when first read (`model._DeferredText`), not per evaluation.

`build_findings` stores `(summary, *arguments)` in the finding; `summary` gives the same
text the finding would have carried had it been built right away.
"""

from datetime import datetime

from services.care_team.domain.engine.medlist import Med, Patient
from services.care_team.domain.engine.rulebook import Clause, Vocab


def summary(
    clause: Clause,
    best: tuple[Med, ...],
    meds: tuple[Med, ...],
    patient: Patient,
    vocab: Vocab,
    lapses_at: datetime | None,
) -> str:
    """The summary of a finding: its rule's template on the drugs of its most severe match
    (`best`; {drugs} and {count} name all its drugs, `meds`), plus a note per stopped drug
    when a washout holds it (`lapses_at`: when the most severe match lapses)."""
    template = clause.template
    if template.listwide:
        text = template.render_with(
            best, lambda name: _list_value(name, clause, meds, patient, vocab)
        )
    else:
        text = template.render(best)
    if lapses_at is not None:
        text += _stopped_note(best, lapses_at)
    return text


def _stopped_note(meds: tuple[Med, ...], lapses_at: datetime) -> str:
    note = ""
    for med in meds:
        stopped_at = med.entry.stopped_at
        if not med.active and stopped_at is not None:
            note += (
                f" {med.facts.display.capitalize()} was stopped on {stopped_at.date()};"
                f" it still counts until {lapses_at.date()}."
            )
    return note


def _list_value(
    name: str, clause: Clause, meds: tuple[Med, ...], patient: Patient, vocab: Vocab
) -> object:
    """{drugs}, {count}, {age} or {conditions}."""
    if name == "drugs":
        return ", ".join(sorted({m.facts.display for m in meds}))
    if name == "count":
        distinct = (
            {m.uid for m in meds} if clause.distinct_prescriptions else {m.ingredient for m in meds}
        )
        return len(distinct)
    if name == "age":
        return patient.age if patient.age is not None else "unknown age"
    # conditions
    found = sorted(clause.condition_codes & patient.conditions)
    return " and ".join(vocab.condition_names[c] for c in found) or "a listed condition"
