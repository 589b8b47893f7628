"""A finding's summary is built when first read (model._DeferredText). Whenever it is read,
it is the text the finding would have carried had it been built during the evaluation (the
golden findings, written when summaries were built eagerly, check the texts themselves)."""

import copy
import dataclasses
import pickle

from services.care_team.domain.engine import ConflictEngine, Finding, PatientProfile

from .builders import NEU, SELF, born, evaluate, rx

# Plain pair templates, {count}/{drugs}, {age}, {conditions}, a washout note.
MEDS = [
    rx("sertraline", "100 mg", "once daily"),
    rx("venlafaxine", "150 mg", "once daily"),
    rx("trazodone", "50 mg", "at bedtime"),
    rx("sumatriptan", "50 mg", "as needed", role=NEU),
    rx("ibuprofen", "400 mg", "three times daily", role=SELF),
    rx("bupropion", "300 mg", "once daily"),
    rx("phenelzine", "15 mg", "tid", stopped_days_ago=10),
]
YOUNG = PatientProfile(birth_date=born(22), conditions=frozenset({"seizure_disorder"}))


def _raw(finding: Finding) -> object:
    """The summary slot as stored, without building the text."""
    slot = Finding.__dict__["summary"]._slot
    return slot.__get__(finding, Finding)


def test_a_summary_read_late_equals_one_read_at_once(engine: ConflictEngine) -> None:
    at_once = evaluate(engine, MEDS, YOUNG)
    texts = [f.summary for f in at_once]
    late = evaluate(engine, MEDS, YOUNG)
    assert all(isinstance(_raw(f), tuple) for f in late)  # not built yet
    # Other evaluations in between, one of them clearing the per-entry facts cache.
    evaluate(engine, [rx(f"unknown drug {i}", rx_id=f"rx-{i}") for i in range(5000)])
    evaluate(engine, [rx("sertraline", "25 mg", "once daily")], PatientProfile(born(70)))
    assert [f.summary for f in late] == texts
    assert any("stopped on" in t for t in texts)
    assert any("at age 22" in t for t in texts)
    assert any("with seizure disorder" in t for t in texts)
    assert any("scheduled serotonergic agents at once" in t for t in texts)


def test_a_summary_is_built_once_and_kept(engine: ConflictEngine) -> None:
    for finding in evaluate(engine, MEDS, YOUNG):
        text = finding.summary
        assert isinstance(text, str)
        assert _raw(finding) is text
        assert finding.summary is text


def test_unread_findings_compare_hash_copy_and_pickle_with_their_text(
    engine: ConflictEngine,
) -> None:
    read = evaluate(engine, MEDS, YOUNG)
    for f in read:
        assert f.summary
    assert evaluate(engine, MEDS, YOUNG) == read
    assert [hash(f) for f in evaluate(engine, MEDS, YOUNG)] == [hash(f) for f in read]
    assert [repr(f) for f in evaluate(engine, MEDS, YOUNG)] == [repr(f) for f in read]
    assert [pickle.loads(pickle.dumps(f)) for f in evaluate(engine, MEDS, YOUNG)] == read
    assert [copy.deepcopy(f) for f in evaluate(engine, MEDS, YOUNG)] == read
    unread = evaluate(engine, MEDS, YOUNG)
    replaced = [dataclasses.replace(f, recommendation="x") for f in unread]
    assert [f.summary for f in replaced] == [f.summary for f in read]
    assert all(isinstance(_raw(f), str) for f in replaced)
