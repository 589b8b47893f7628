"""The knowledge files: integrity, clear errors for malformed data, and rules as data
(a new rule or a wider selector in a copy of the files changes findings, no code)."""

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.care_team.domain.engine import ConflictEngine, ConflictKind, KnowledgeError, Severity
from services.care_team.domain.engine.knowledge import DEFAULT_DIRECTORY, FILES

from .builders import NEU, OTH, T2, T3, by_rule, evaluate, flagged, rx

Edit = Callable[[dict[str, Any]], None]
# The C loader/dumper when present: the pure-Python ones would dominate the test time.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

SCENARIO_RULES = (
    "SER-01", "SER-02", "SER-03", "SER-06", "SER-10", "SER-11", "PK-01", "PK-03", "PK-16",
    "PK-19", "PK-21", "PK-30", "PK-34", "PK-38", "QT-01", "QT-02", "CON-01", "CON-02",
    "CON-05", "BLD-01", "BLD-02", "DUP-01", "VAS-03",
)  # fmt: skip


def knowledge_copy(tmp_path: Path, edit: Edit) -> Path:
    """A copy of the packaged knowledge with rules.yaml changed by `edit`."""
    directory = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_DIRECTORY, directory)
    path = directory / "rules.yaml"
    data = read_yaml(path)
    edit(data)
    text = yaml.dump(data, Dumper=DUMPER, sort_keys=False, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return directory


def read_yaml(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)


def rule_data(data: dict[str, Any], rule_id: str) -> dict[str, Any]:
    return next(rule for rule in data["rules"] if rule["id"] == rule_id)


# -- integrity ------------------------------------------------------------------------
def test_every_file_is_versioned() -> None:
    for name in FILES:
        data = read_yaml(DEFAULT_DIRECTORY / name)
        assert isinstance(data["version"], str) and re.fullmatch(r"\d+\.\d+\.\d+", data["version"])
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["date"]), name


def test_engine_version_names_every_file(engine: ConflictEngine) -> None:
    assert engine.version == "rules-0.1.0+drugs-0.1.0+sources-0.1.0+windows-0.1.0"


def test_every_rule_has_sources_a_tier_and_a_kind(engine: ConflictEngine) -> None:
    rules = engine.rules
    assert len(rules) > 100
    for rule in rules:
        assert rule.sources and len(rule.evidence) == len(rule.sources), rule.rule_id
        assert all(e.source for e in rule.evidence), rule.rule_id
        assert isinstance(rule.kind, ConflictKind)
        assert rule.tier in ("T0", "T1", "T2", "T3", "T4", "modifier"), rule.rule_id
        expected = {"T1": Severity.CONTRAINDICATED, "T2": Severity.MAJOR}
        expected |= {"T3": Severity.MODERATE, "T4": Severity.MINOR}
        assert rule.severity is expected.get(rule.tier), rule.rule_id
        if rule.tier == "T0":
            assert rule.suppresses and all(engine.rule(t) for t in rule.suppresses)
        elif rule.tier != "modifier":
            assert rule.summary and rule.recommendation, rule.rule_id


def test_every_rule_cites_sources_from_sources_yaml() -> None:
    sources = read_yaml(DEFAULT_DIRECTORY / "sources.yaml")
    rules = read_yaml(DEFAULT_DIRECTORY / "rules.yaml")
    for rule in rules["rules"]:
        assert rule["sources"], rule["id"]
        assert set(rule["sources"]) <= set(sources["sources"]), rule["id"]


def test_scenario_rules_exist_and_aliases_resolve(engine: ConflictEngine) -> None:
    for rule_id in SCENARIO_RULES:
        assert engine.rule(rule_id).rule_id == rule_id
    assert engine.rule("LI-05").rule_id == "PK-61"
    assert engine.rule("DUP-09").rule_id == "CON-11"
    assert engine.rule("VAS-02").rule_id == "DUP-04"
    with pytest.raises(KeyError):
        engine.rule("NOPE-01")


def test_minor_findings_never_interrupt(engine: ConflictEngine) -> None:
    assert not Severity.MINOR.interruptive
    assert not Severity.MODERATE.interruptive
    for rule in engine.rules:
        if rule.tier == "T4":
            assert rule.severity is not None and not rule.severity.interruptive


def test_rule_metadata(engine: ConflictEngine) -> None:
    rule = engine.rule("SER-01")
    assert rule.tier == "T4" and rule.kind is ConflictKind.SEROTONIN_TOXICITY
    assert "Level U" in rule.source_severity
    assert any(e.url and "PMC5885255" in e.url for e in rule.evidence)
    assert engine.rule("QT-03").tier == "modifier"


# -- malformed data -------------------------------------------------------------------------
def _misspell_class(data: dict[str, Any]) -> None:
    rule_data(data, "PK-34")["match"]["a"] = {"clas": "tca"}


def _unknown_source(data: dict[str, Any]) -> None:
    rule_data(data, "SER-01")["sources"] = ["S1", "S999"]


def _bad_tier(data: dict[str, Any]) -> None:
    rule_data(data, "DUP-02")["tier"] = "T5"


def _unknown_ingredient(data: dict[str, Any]) -> None:
    rule_data(data, "PK-03")["match"]["b"] = {"ingredient": "propanolol"}


def _bad_placeholder(data: dict[str, Any]) -> None:
    rule_data(data, "PK-21")["summary"] = "{a} with {b}"


def _unknown_kind(data: dict[str, Any]) -> None:
    rule_data(data, "LI-02")["kind"] = "interaction"


def _duplicate_id(data: dict[str, Any]) -> None:
    rule_data(data, "LI-03")["id"] = "LI-02"


def _unknown_suppressed_rule(data: dict[str, Any]) -> None:
    rule_data(data, "PK-04")["suppresses"] = ["PK-99"]


def _unknown_condition(data: dict[str, Any]) -> None:
    rule_data(data, "CON-05")["match"]["when"]["any"][0]["patient"]["conditions"] = ["sadness"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_misspell_class, r"rule PK-34: match\.a: unknown field 'clas'"),
        (_unknown_source, r"rule SER-01: sources: unknown source 'S999'"),
        (_bad_tier, r"rule DUP-02: tier: 'T5' is not one of"),
        (_unknown_ingredient, r"rule PK-03: match\.b\.ingredient: unknown ingredient 'propanolol'"),
        (
            _bad_placeholder,
            r"rule PK-21: summary: uses placeholder\(s\) b; available here: a, a_dose",
        ),
        (_unknown_kind, r"rule LI-02: kind: 'interaction' is not one of"),
        (_duplicate_id, r"rule LI-02: duplicate rule id"),
        (_unknown_suppressed_rule, r"rule PK-04: unknown rule 'PK-99'"),
        (_unknown_condition, r"rule CON-05: .*conditions.*'sadness' is not one of"),
    ],
)
def test_a_malformed_rule_is_rejected_with_a_clear_message(
    tmp_path: Path, edit: Edit, message: str
) -> None:
    with pytest.raises(KnowledgeError, match=message):
        ConflictEngine.load(knowledge_copy(tmp_path, edit))


def test_broken_yaml_names_the_file(tmp_path: Path) -> None:
    directory = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_DIRECTORY, directory)
    (directory / "drugs.yaml").write_text("drugs: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"^drugs\.yaml: not valid YAML"):
        ConflictEngine.load(directory)


# -- rules are data ---------------------------------------------------------------------------
def test_a_new_rule_is_a_data_change(tmp_path: Path, engine: ConflictEngine) -> None:
    def add_rule(data: dict[str, Any]) -> None:
        data["rules"].append(
            {
                "id": "TST-01",
                "title": "Melatonin with a scheduled supplement taken for migraine",
                "kind": "condition_caution",
                "tier": "T3",
                "source_severity": "test",
                "sources": ["SYS"],
                "recommendation": "Review.",
                "summary": "{a} with {b} ({b_dose}).",
                "match": {
                    "a": {"ingredient": "melatonin"},
                    "b": {
                        "class": "supplement",
                        "role": "migraine_prevention",
                        "dosing": "scheduled",
                    },
                },
            }
        )

    meds = [rx("melatonin", "3 mg", "at night"), rx("riboflavin", "400 mg", "once daily", role=NEU)]
    assert evaluate(engine, meds) == []
    extended = ConflictEngine.load(knowledge_copy(tmp_path, add_rule))
    [finding] = evaluate(extended, meds)
    assert (finding.key, finding.severity) == ("TST-01:melatonin+riboflavin", T3)
    assert finding.summary == "Melatonin with riboflavin (400 mg once daily)."


def test_t0_rules_suppress_a_widened_rule(tmp_path: Path) -> None:
    """PK-04 (rizatriptan + metoprolol/nadolol: no interaction) and PK-08 (sumatriptan is
    not CYP-cleared) silence their targets once those are widened to whole classes."""

    def widen(data: dict[str, Any]) -> None:
        rule_data(data, "PK-03")["match"]["b"] = {"class": "beta_blocker"}
        rule_data(data, "PK-01")["match"]["a"] = {"class": "triptan"}

    widened = ConflictEngine.load(knowledge_copy(tmp_path, widen))
    rizatriptan = rx("rizatriptan", "10 mg", "as needed", role=NEU)
    for blocker, expected in (("metoprolol", set()), ("nadolol", set()), ("atenolol", {T2})):
        findings = evaluate(widened, [rizatriptan, rx(blocker, "50 mg", "once daily")])
        assert {f.severity for f in by_rule(findings, "PK-03")} == expected, blocker
    clarithromycin = rx("clarithromycin", "500 mg", "twice daily", role=OTH)
    sumatriptan = rx("sumatriptan", "50 mg", "as needed", role=NEU)
    eletriptan = rx("eletriptan", "40 mg", "as needed", role=NEU)
    assert by_rule(evaluate(widened, [sumatriptan, clarithromycin]), "PK-01") == []
    assert ("PK-01", Severity.CONTRAINDICATED) in flagged(
        evaluate(widened, [eletriptan, clarithromycin])
    )
