"""The evaluator's fast paths: pre-split summary templates, findings built without the
frozen dataclass's __init__, bounded caches of per-entry and per-patient facts."""

import dataclasses
import pickle
from typing import cast

import pytest

from services.care_team.domain.engine import ConflictEngine, Finding, PatientProfile
from services.care_team.domain.engine.medlist import Med
from services.care_team.domain.engine.summaries import Template

from .builders import NEU, born, evaluate, rx


@dataclasses.dataclass
class _Facts:
    texts: tuple[str, str, str, str]


@dataclasses.dataclass
class _Med:
    facts: _Facts


def _med(display: str, prescribed: str) -> Med:
    texts = (
        display,
        display[:1].upper() + display[1:],
        prescribed,
        prescribed[:1].upper() + prescribed[1:],
    )
    return cast(Med, _Med(_Facts(texts)))


MEDS = (_med("sertraline", "100 mg once daily"), _med("sumatriptan (imitrex)", "50 mg"))
TEMPLATES = [
    "{a} with {b}: theoretical serotonin-toxicity risk.",
    "{a}: 100% of {a_dose}",
    "{b_dose} then {a}",
    "With {a} and {b}",
    "{a}",
    "{a}{b}",
    "{a} {{literal braces}} {b} {a_dose} {b_dose}",
    "no placeholders at all",
    "",
]


@pytest.mark.parametrize("text", TEMPLATES)
def test_a_split_template_renders_like_format_map(text: str) -> None:
    values = {"a": "sertraline", "b": "sumatriptan (imitrex)"}
    values |= {"a_dose": "100 mg once daily", "b_dose": "50 mg"}
    expected = text.format_map(values)
    assert Template(text).render(MEDS) == expected[:1].upper() + expected[1:]


def test_an_empty_first_value_capitalises_what_follows_as_format_map_would() -> None:
    meds = (_med("", ""), MEDS[1])
    assert Template("{a}with {b}").render(meds) == "With sumatriptan (imitrex)"


def test_findings_are_plain_frozen_findings(engine: ConflictEngine) -> None:
    findings = evaluate(
        engine,
        [
            rx("citalopram", "40 mg", "once daily", indication="depression"),
            rx("amitriptyline", "10 mg", "at night", role=NEU),
        ],
        PatientProfile(birth_date=born(64)),
    )
    assert findings
    for finding in findings:
        assert type(finding) is Finding
        fields = {f.name: getattr(finding, f.name) for f in dataclasses.fields(Finding)}
        rebuilt = Finding(**fields)
        assert {name: getattr(rebuilt, name) for name in fields} == fields
        assert not hasattr(finding, "__dict__")  # slots, as Finding's own
        assert pickle.loads(pickle.dumps(finding)) == finding
        with pytest.raises(dataclasses.FrozenInstanceError):
            finding.summary = "changed"  # type: ignore[misc]


def test_the_per_entry_facts_cache_stays_bounded(engine: ConflictEngine) -> None:
    names = [f"unknown drug {i}" for i in range(5000)]
    evaluate(engine, [rx(name, rx_id=f"rx-{i}") for i, name in enumerate(names)])
    assert len(engine._facts.parsed) <= 4096


def test_equal_entries_give_equal_findings(engine: ConflictEngine) -> None:
    meds = [rx("sertraline", "100 mg", "once daily"), rx("sumatriptan", "50 mg", "as needed")]
    again = [dataclasses.replace(m) for m in meds]
    assert evaluate(engine, meds) == evaluate(engine, again) == evaluate(engine, meds)
