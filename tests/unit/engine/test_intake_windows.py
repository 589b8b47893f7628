"""Diary doses in the engine (windows.yaml): time windows from actual intake times,
logged drugs as exposures, and intake-day counts (clinical-kb §1.B, §1.C, §1.G, §1.J;
scenarios T05a/T05b)."""

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.care_team.domain.engine import ConflictEngine, Finding, KnowledgeError
from services.care_team.domain.engine.model import Intake, MedicationEntry, PatientProfile

from .builders import NEU, NOW, OTH, PSY, T1, T2, T3, by_rule, one, rx
from .test_knowledge import DUMPER, knowledge_copy, read_yaml

ERGOT_AT = NOW - timedelta(hours=40)


def taken(name: str, at: datetime, *, dose: str | None = None) -> Intake:
    return Intake(name=name, taken_at=at, dose=dose)


def evaluate(
    engine: ConflictEngine,
    medications: list[MedicationEntry],
    intakes: list[Intake],
    now: datetime = NOW,
) -> list[Finding]:
    return engine.evaluate(medications, PatientProfile(), now, intakes)


def prn(name: str, role: str = NEU) -> MedicationEntry:
    return rx(name, frequency="as needed", role=role)


# -- T05a / T05b: triptan and ergot --------------------------------------------------------
def test_t05a_sumatriptan_12_h_after_ergotamine_is_contraindicated(engine: ConflictEngine) -> None:
    listed = [prn("Cafergot"), prn("sumatriptan")]
    doses = [taken("cafergot", ERGOT_AT), taken("Imitrex", ERGOT_AT + timedelta(hours=12))]

    finding = one(evaluate(engine, listed, doses), "VAS-01")

    assert finding.severity is T1
    assert finding.violation is not None
    assert (finding.violation.first, finding.violation.then) == ("ergotamine", "sumatriptan")
    assert finding.violation.then_at - finding.violation.first_at == timedelta(hours=12)  # type: ignore[operator]
    assert finding.summary.startswith("Sumatriptan was taken 12 h after ergotamine")
    assert "inside the 24 h window" in finding.summary
    # The same conflict as the list-level one: one identity, raised.
    assert finding.key == one(engine.evaluate(listed, PatientProfile(), NOW), "VAS-01").key


def test_t05b_sumatriptan_30_h_after_ergotamine_is_only_the_list_level_caution(
    engine: ConflictEngine,
) -> None:
    listed = [prn("Cafergot"), prn("sumatriptan")]
    doses = [taken("cafergot", ERGOT_AT), taken("sumatriptan", ERGOT_AT + timedelta(hours=30))]

    finding = one(evaluate(engine, listed, doses), "VAS-01")

    assert finding.severity is T3
    assert finding.violation is None


@pytest.mark.parametrize(("hours", "violated"), [(23.9, True), (24, False), (0, True)])
def test_the_window_is_a_minimum_gap(engine: ConflictEngine, hours: float, violated: bool) -> None:
    doses = [
        taken("sumatriptan", ERGOT_AT),
        taken("ergotamine", ERGOT_AT + timedelta(hours=hours)),
    ]
    finding = one(evaluate(engine, [prn("sumatriptan"), prn("ergotamine")], doses), "VAS-01")
    assert (finding.violation is not None) is violated
    assert finding.severity is (T1 if violated else T3)


def test_an_ergot_after_a_triptan_counts_too(engine: ConflictEngine) -> None:
    doses = [taken("rizatriptan", ERGOT_AT), taken("D.H.E. 45", ERGOT_AT + timedelta(hours=5))]
    finding = one(evaluate(engine, [prn("rizatriptan"), prn("dihydroergotamine")], doses), "VAS-01")
    assert finding.severity is T1
    assert finding.violation is not None and finding.violation.first == "rizatriptan"


def test_a_violation_older_than_the_span_no_longer_raises_the_finding(
    engine: ConflictEngine,
) -> None:
    long_ago = NOW - timedelta(days=40)
    doses = [taken("ergotamine", long_ago), taken("sumatriptan", long_ago + timedelta(hours=2))]
    finding = one(evaluate(engine, [prn("ergotamine"), prn("sumatriptan")], doses), "VAS-01")
    assert finding.severity is T3 and finding.violation is None


def test_a_raised_finding_lapses_when_the_dose_leaves_the_span(engine: ConflictEngine) -> None:
    then = ERGOT_AT + timedelta(hours=3)
    doses = [taken("ergotamine", ERGOT_AT), taken("sumatriptan", then)]
    listed = [prn("ergotamine"), prn("sumatriptan")]

    assert one(evaluate(engine, listed, doses), "VAS-01").lapses_at == then + timedelta(days=30)
    later = one(evaluate(engine, listed, doses, now=then + timedelta(days=30, minutes=1)), "VAS-01")
    assert later.severity is T3 and later.lapses_at is None


# -- VAS-02: two different triptans -----------------------------------------------------------
def test_two_different_triptans_within_24_h_raise_the_duplicate_triptan_conflict(
    engine: ConflictEngine,
) -> None:
    doses = [taken("sumatriptan", ERGOT_AT), taken("Maxalt", ERGOT_AT + timedelta(hours=6))]
    finding = one(evaluate(engine, [prn("sumatriptan"), prn("rizatriptan")], doses), "DUP-04")
    assert finding.severity is T1
    assert finding.violation is not None and finding.violation.then == "rizatriptan"


def test_a_second_dose_of_the_same_triptan_is_not_a_window_violation(
    engine: ConflictEngine,
) -> None:
    doses = [taken("sumatriptan", ERGOT_AT), taken("sumatriptan", ERGOT_AT + timedelta(hours=2))]
    findings = evaluate(engine, [prn("sumatriptan"), prn("rizatriptan")], doses)
    assert one(findings, "DUP-04").severity is T3


# -- PK-01: eletriptan and a strong CYP3A4 inhibitor on the list ------------------------------
def test_eletriptan_taken_within_72_h_of_stopping_clarithromycin(engine: ConflictEngine) -> None:
    listed = [prn("eletriptan"), rx("clarithromycin", "500 mg", "twice daily", role=OTH,
                                   stopped_days_ago=2)]  # fmt: skip
    dose_at = NOW - timedelta(days=1)

    finding = one(evaluate(engine, listed, [taken("Relpax", dose_at)]), "PK-01")

    assert finding.severity is T1
    assert finding.violation is not None
    assert (finding.violation.first, finding.violation.then_at) == ("clarithromycin", dose_at)
    assert "while clarithromycin was on the list" in finding.summary


def test_eletriptan_after_the_72_h_is_no_conflict(engine: ConflictEngine) -> None:
    listed = [prn("eletriptan"), rx("clarithromycin", "500 mg", "twice daily", role=OTH,
                                   stopped_days_ago=4)]  # fmt: skip
    findings = evaluate(engine, listed, [taken("eletriptan", NOW - timedelta(hours=6))])
    assert by_rule(findings, "PK-01") == []


def test_eletriptan_before_the_inhibitor_started_is_no_violation(engine: ConflictEngine) -> None:
    inhibitor = rx("clarithromycin", "500 mg", "twice daily", role=OTH)
    started = inhibitor.started_at
    assert started is not None
    findings = evaluate(
        engine, [prn("eletriptan"), inhibitor], [taken("eletriptan", started - timedelta(hours=1))]
    )
    assert one(findings, "PK-01").violation is None


# -- gepant re-dose limits --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("gepant", "rule", "hours", "violated"),
    [
        ("ubrogepant", "PK-10", 3, True),
        ("ubrogepant", "PK-10", 26, False),
        ("rimegepant", "PK-15", 30, True),
        ("rimegepant", "PK-15", 49, False),
    ],
)
def test_a_gepant_redose_with_a_moderate_cyp3a4_inhibitor(
    engine: ConflictEngine, gepant: str, rule: str, hours: int, violated: bool
) -> None:
    listed = [prn(gepant), rx("verapamil", "80 mg", "three times daily", role=OTH)]
    first = NOW - timedelta(hours=60)
    doses = [taken(gepant, first), taken(gepant, first + timedelta(hours=hours))]

    finding = one(evaluate(engine, listed, doses), rule)

    assert finding.severity is T2  # a mandatory dosing rule, not a contraindication
    assert (finding.violation is not None) is violated


# -- exposures: drugs logged but not prescribed -------------------------------------------
def test_lithium_and_eight_logged_nsaid_days_give_the_finding_with_the_count(
    engine: ConflictEngine,
) -> None:
    lithium = rx("lithium", "300 mg", "twice daily", role=PSY)
    days = [NOW - timedelta(days=d, hours=3) for d in range(1, 9)]
    doses = [taken("ibuprofen", at, dose="400 mg") for at in days]
    doses.append(taken("Advil", days[0] + timedelta(hours=5)))  # a second dose the same day

    finding = one(evaluate(engine, [lithium], doses), "LI-01")

    assert finding.severity is T2
    assert finding.medications == ("ibuprofen", "lithium")
    assert [(d.ingredient, d.days) for d in finding.intake_days] == [("ibuprofen", 8)]
    assert "ibuprofen on 8 days" in finding.summary
    # The exposure is nobody's prescription: only the lithium's prescriber is named.
    assert finding.prescription_ids == (lithium.prescription_id,)
    assert finding.prescribers == (lithium.prescriber_id,)
    assert finding.lapses_at == days[0] + timedelta(hours=5, days=30)


def test_an_exposure_ends_a_span_after_the_last_dose(engine: ConflictEngine) -> None:
    lithium = rx("lithium", "300 mg", "twice daily", role=PSY)
    doses = [taken("naproxen", NOW - timedelta(days=31))]
    assert by_rule(evaluate(engine, [lithium], doses), "LI-01") == []


def test_a_logged_drug_that_is_prescribed_is_not_a_second_exposure(
    engine: ConflictEngine,
) -> None:
    lithium = rx("lithium", "300 mg", "twice daily", role=PSY)
    ibuprofen = prn("ibuprofen", role=OTH)
    doses = [taken("ibuprofen", NOW - timedelta(days=2))]

    finding = one(evaluate(engine, [lithium, ibuprofen], doses), "LI-01")

    assert set(finding.prescription_ids) == {lithium.prescription_id, ibuprofen.prescription_id}
    assert finding.lapses_at is None  # held by the prescription, not by the dose
    assert [(d.ingredient, d.days) for d in finding.intake_days] == [("ibuprofen", 1)]


def test_logged_st_johns_wort_counts_against_an_ssri(engine: ConflictEngine) -> None:
    findings = evaluate(
        engine,
        [rx("sertraline", "50 mg", "once daily", role=PSY)],
        [taken("St John's wort", NOW - timedelta(days=3))],
    )
    finding = one(findings, "SER-11")
    assert finding.medications == ("sertraline", "st john's wort")
    assert finding.severity is T2


def test_unknown_logged_names_change_nothing(engine: ConflictEngine) -> None:
    listed = [rx("fluoxetine", "20 mg", "once daily", role=PSY)]
    plain = engine.evaluate(listed, PatientProfile(), NOW)
    assert evaluate(engine, listed, [taken("grandma's tea", NOW - timedelta(days=1))]) == plain


# -- windows.yaml is data, validated ----------------------------------------------------------
def windows_copy(tmp_path: Path, edit: Any) -> Path:
    directory = knowledge_copy(tmp_path, lambda data: None)
    path = directory / "windows.yaml"
    data = read_yaml(path)
    edit(data)
    path.write_text(yaml.dump(data, Dumper=DUMPER, sort_keys=False), encoding="utf-8")
    return directory


def test_a_new_window_is_a_data_change(tmp_path: Path) -> None:
    def add(data: dict[str, Any]) -> None:  # any two different triptans: 48 h, not 24 h
        window = dict(data["windows"][2], within_hours=48)
        data["windows"].append(window)

    engine = ConflictEngine.load(windows_copy(tmp_path, add))
    doses = [taken("sumatriptan", ERGOT_AT), taken("rizatriptan", ERGOT_AT + timedelta(hours=30))]
    finding = one(evaluate(engine, [prn("sumatriptan"), prn("rizatriptan")], doses), "DUP-04")
    assert finding.severity is T1


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["windows"][0].update(rule="VAS-99"), r"windows\[0\]\.rule: 'VAS-99'"),
        (
            lambda d: d["windows"][0].update(then={"ref": "triptan", "dosing": ["prn"]}),
            r"windows\[0\]\.then: a window selector may test drug attributes only",
        ),
        (
            lambda d: d["windows"][1].update(summary="{then} after {a}"),
            r"windows\[1\]\.summary: unknown placeholder\(s\) a",
        ),
        (lambda d: d["windows"][3].update(tier="T0"), r"windows\[3\]\.tier: 'T0' is not one of"),
        (lambda d: d.pop("exposure_days"), r"windows\.yaml: missing field\(s\): exposure_days"),
    ],
)
def test_a_malformed_window_is_rejected_with_a_clear_message(
    tmp_path: Path, edit: Any, message: str
) -> None:
    with pytest.raises(KnowledgeError, match=message):
        ConflictEngine.load(windows_copy(tmp_path, edit))


def test_the_lookback_covers_the_span_and_the_widest_window(engine: ConflictEngine) -> None:
    assert engine.intake_lookback == timedelta(days=30, hours=72)
