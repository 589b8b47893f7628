from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from services.care_team.domain.conflicts import OpenConflict, diff_conflicts, material_change
from services.care_team.domain.engine.model import (
    ConflictKind,
    Finding,
    Severity,
    WindowViolation,
)
from shared.events.care_team import ResolutionReason

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def finding(key: str = "PK-34:amitriptyline+fluoxetine", **kw: object) -> Finding:
    values: dict[str, object] = {
        "key": key,
        "rule_id": key.split(":", maxsplit=1)[0],
        "kind": ConflictKind.PHARMACOKINETIC,
        "severity": Severity.MODERATE,
        "medications": ("amitriptyline", "fluoxetine"),
        "prescription_ids": ("rx-1", "rx-2"),
        "prescribers": ("dr-a", "dr-b"),
        "summary": "s",
        "recommendation": "r",
        "evidence": (),
        "daily_doses_mg": (("rx-1", 25.0), ("rx-2", 20.0)),
    }
    values.update(kw)
    return Finding(**values)  # type: ignore[arg-type]


def open_conflict(f: Finding, **kw: object) -> OpenConflict:
    values: dict[str, object] = {
        "conflict_id": uuid4(),
        "key": f.key,
        "rule_id": f.rule_id,
        "severity": f.severity,
        "medications": f.medications,
        "prescription_ids": f.prescription_ids,
        "prescribers": f.prescribers,
        "daily_doses_mg": dict(f.daily_doses_mg),
        "lapses_at": f.lapses_at,
    }
    values.update(kw)
    return OpenConflict(**values)  # type: ignore[arg-type]


def test_a_new_finding_is_flagged_and_the_same_one_again_is_not() -> None:
    f = finding()
    assert diff_conflicts([], [f], stopped_prescription_ids=set(), now=NOW).flagged == [f]
    again = diff_conflicts([open_conflict(f)], [f], stopped_prescription_ids=set(), now=NOW)
    assert not again.changed and len(again.refreshed) == 1


def test_dose_increase_and_higher_tier_are_material_a_decrease_is_not() -> None:
    f = finding()
    c = open_conflict(f)
    assert material_change(c, finding(daily_doses_mg=(("rx-1", 75.0), ("rx-2", 20.0))))
    assert material_change(c, finding(severity=Severity.MAJOR)) is not None
    assert material_change(c, finding(daily_doses_mg=(("rx-1", 10.0), ("rx-2", 20.0)))) is None
    assert material_change(c, finding(severity=Severity.MINOR)) is None


def test_a_third_interacting_drug_is_material() -> None:
    f = finding("SER-13", medications=("a", "b", "c"))
    grown = finding("SER-13", medications=("a", "b", "c", "d"))
    diff = diff_conflicts([open_conflict(f)], [grown], stopped_prescription_ids=set(), now=NOW)
    assert [r.reason for r in diff.reflagged] == ["another interacting medication was added"]


def test_resolution_reasons() -> None:
    c = open_conflict(finding())
    stopped = diff_conflicts([c], [], stopped_prescription_ids={"rx-2"}, now=NOW)
    assert stopped.resolved[0].reason is ResolutionReason.MEDICATION_STOPPED
    lapsed = open_conflict(finding(lapses_at=NOW - timedelta(seconds=1)))
    ended = diff_conflicts([lapsed], [], stopped_prescription_ids={"rx-2"}, now=NOW)
    assert ended.resolved[0].reason is ResolutionReason.WASHOUT_ENDED
    gone = diff_conflicts([c], [], stopped_prescription_ids=set(), now=NOW)
    assert gone.resolved[0].reason is ResolutionReason.NO_LONGER_APPLIES


def test_a_new_dose_inside_a_time_window_is_material_the_same_dose_again_is_not() -> None:
    dose_at = NOW - timedelta(hours=3)
    violation = WindowViolation(
        "ergotamine", dose_at - timedelta(hours=12), "sumatriptan", dose_at, timedelta(hours=24)
    )
    already_t1 = finding(severity=Severity.CONTRAINDICATED)
    c = open_conflict(already_t1)
    raised = finding(severity=Severity.CONTRAINDICATED, violation=violation)

    assert material_change(c, raised) == "sumatriptan was taken inside the time window"
    assert material_change(open_conflict(already_t1, window_violated_at=dose_at), raised) is None
    later = replace(violation, then_at=dose_at + timedelta(hours=1))
    seen = open_conflict(already_t1, window_violated_at=dose_at)
    assert material_change(seen, finding(severity=Severity.CONTRAINDICATED, violation=later))
