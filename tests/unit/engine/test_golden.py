"""The engine finds exactly what it found when golden_findings.json was written: a few
hundred seeded random lists (see golden.py), every finding field for field, in order."""

import json
from functools import cache
from typing import Any

import pytest

from services.care_team.domain.engine import ConflictEngine, MedicationEntry
from services.care_team.domain.engine.model import Finding

from .golden import CASES, GOLDEN, dump_finding, dump_rule, load_entry, load_profile, parse_time

CHUNK = 20  # cases per test


@cache
def golden() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return data


def _check(engine: ConflictEngine, index: int, meds: list[MedicationEntry]) -> None:
    case = golden()["cases"][index]
    now = parse_time(case["now"])
    assert now is not None
    findings: list[Finding] = engine.evaluate(meds, load_profile(case["profile"]), now)
    got = [dump_finding(f) for f in findings]
    assert got == case["findings"], f"case {index}"
    rules = golden()["rules"]
    assert all(dump_rule(f) == rules[f.rule_id] for f in findings), f"case {index}"


def test_the_golden_file_matches_the_knowledge(engine: ConflictEngine) -> None:
    assert golden()["knowledge"] == engine.version, (
        "knowledge changed: review and regenerate with `python -m tests.unit.engine.golden`"
    )
    assert len(golden()["cases"]) >= 300


@pytest.mark.parametrize("start", range(0, CASES, CHUNK))
def test_findings_equal_the_golden_ones(engine: ConflictEngine, start: int) -> None:
    for index in range(start, min(start + CHUNK, len(golden()["cases"]))):
        rows = golden()["cases"][index]["medications"]
        meds = [load_entry(row) for row in rows]
        _check(engine, index, meds)  # first sight of these entries
        _check(engine, index, meds)  # again, with whatever the engine kept about them
        _check(engine, index, [load_entry(row) for row in rows])  # equal, not identical
        _check(engine, index, list(meds))
