"""What a finding carries: identity key, involved prescriptions, doses, readable text,
evidence; the order is deterministic."""

import dataclasses
import random

from services.care_team.domain.engine import ConflictEngine, Finding, PatientProfile

from .builders import NEU, OTH, SELF, born, evaluate, one, rx

T15 = [
    rx("citalopram", "40 mg", "once daily", indication="depression", prescriber="dr-okafor"),
    rx("amitriptyline", "10 mg", "at night", role=NEU, prescriber="dr-lindqvist"),
]
OLDER = PatientProfile(birth_date=born(64))


def test_keys_name_the_rule_and_the_sorted_ingredients(engine: ConflictEngine) -> None:
    keys = {f.key for f in evaluate(engine, T15, OLDER)}
    assert {"QT-01:citalopram", "QT-02:amitriptyline+citalopram"} <= keys
    three = evaluate(
        engine,
        [
            rx("warfarin", "5 mg", "once daily", role=OTH),
            rx("naproxen", "500 mg", "twice daily", role=NEU),
            rx("duloxetine", "60 mg", "once daily"),
        ],
    )
    assert one(three, "BLD-02").key == "BLD-02:duloxetine+naproxen+warfarin"


def test_a_finding_carries_prescriptions_prescribers_and_daily_doses(
    engine: ConflictEngine,
) -> None:
    qt02 = one(evaluate(engine, T15, OLDER), "QT-02")
    assert qt02.medications == ("amitriptyline", "citalopram")
    assert qt02.prescription_ids == ("rx-amitriptyline", "rx-citalopram")
    assert qt02.prescribers == ("dr-lindqvist", "dr-okafor")
    assert qt02.daily_doses_mg == (("rx-amitriptyline", 10.0), ("rx-citalopram", 40.0))
    assert qt02.lapses_at is None
    assert (
        qt02.summary == "Citalopram with amitriptyline: additive QT prolongation (torsades risk)."
    )
    assert qt02.recommendation == engine.rule("QT-02").recommendation
    assert qt02.evidence == engine.rule("QT-02").evidence
    assert any(e.url == "https://crediblemeds.org" for e in qt02.evidence)


def test_prn_doses_have_no_daily_amount(engine: ConflictEngine) -> None:
    findings = evaluate(
        engine,
        [rx("sertraline", "100 mg", "once daily"), rx("Advil", "400 mg", "as needed", role=SELF)],
    )
    assert one(findings, "BLD-01").daily_doses_mg == (("rx-advil", None), ("rx-sertraline", 100.0))


def test_findings_are_ordered_most_severe_first(engine: ConflictEngine) -> None:
    findings = evaluate(engine, T15, OLDER)
    ranks = [(-f.severity.rank, f.rule_id, f.key) for f in findings]
    assert ranks == sorted(ranks)


def test_evaluation_is_deterministic(engine: ConflictEngine) -> None:
    meds = [
        *T15,
        rx("sumatriptan", "50 mg", "as needed", role=NEU),
        rx("ibuprofen", "400 mg", "three times daily", role=SELF),
        rx("lithium", "400 mg", "twice daily"),
        rx("propranolol", "80 mg", "once daily", role=NEU),
        rx("fluoxetine", "20 mg", "once daily", stopped_days_ago=10),
    ]
    first = evaluate(engine, meds, OLDER)
    assert evaluate(engine, meds, OLDER) == first
    shuffled = list(meds)
    random.Random(7).shuffle(shuffled)
    assert [(f.key, f.severity, f.prescription_ids) for f in evaluate(engine, shuffled, OLDER)] == [
        (f.key, f.severity, f.prescription_ids) for f in first
    ]


def test_findings_equal_normally_constructed_ones(engine: ConflictEngine) -> None:
    for finding in evaluate(engine, T15, OLDER):
        rebuilt = Finding(**{f.name: getattr(finding, f.name) for f in dataclasses.fields(Finding)})
        assert rebuilt == finding
        assert hash(rebuilt.key) == hash(finding.key)
        assert dataclasses.replace(finding) == finding


def test_an_empty_list_has_no_findings(engine: ConflictEngine) -> None:
    assert evaluate(engine, []) == []
