from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from pydantic import ValidationError

from services.diary.domain.attacks import AttackEntry
from services.scheduling.domain.visits import VisitRequest

NOW = datetime.now(UTC)


def _error_fields(info: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {".".join(str(p) for p in e["loc"]) for e in info.value.errors()}


def _attack(**kw: Any) -> dict[str, Any]:
    return {"entry_id": str(uuid4()), "started_at": NOW - timedelta(hours=3), "intensity": 2, **kw}


def test_an_attack_ending_before_it_started_names_ended_at() -> None:
    with pytest.raises(ValidationError) as info:
        AttackEntry.model_validate(_attack(ended_at=NOW - timedelta(hours=4)))
    assert _error_fields(info) == {"ended_at"}


def test_an_attack_in_the_future_names_started_at() -> None:
    with pytest.raises(ValidationError) as info:
        AttackEntry.model_validate(_attack(started_at=NOW + timedelta(hours=1)))
    assert _error_fields(info) == {"started_at"}


def test_small_clock_skew_is_accepted() -> None:
    assert AttackEntry.model_validate(_attack(started_at=NOW + timedelta(minutes=2)))


@pytest.mark.parametrize("intensity", [0, 4])
def test_intensity_outside_the_ihs_scale_is_rejected(intensity: int) -> None:
    with pytest.raises(ValidationError) as info:
        AttackEntry.model_validate(_attack(intensity=intensity))
    assert _error_fields(info) == {"intensity"}


def test_medication_without_time_taken_names_the_item() -> None:
    with pytest.raises(ValidationError) as info:
        AttackEntry.model_validate(_attack(medications=[{"name": "sumatriptan", "dose": "50 mg"}]))
    assert _error_fields(info) == {"medications.0.taken_at"}


def _visit(**kw: Any) -> dict[str, Any]:
    return {
        "patient_id": "p-1",
        "clinician_ids": ["dr-a"],
        "type": "follow_up",
        "starts_at": NOW + timedelta(days=3),
        **kw,
    }


@pytest.mark.parametrize(
    ("visit_type", "minutes"),
    [("initial_consultation", 60), ("follow_up", 30)],
)
def test_default_visit_lengths(visit_type: str, minutes: int) -> None:
    assert VisitRequest.model_validate(_visit(type=visit_type)).duration == timedelta(
        minutes=minutes
    )


def test_joint_review_needs_two_distinct_clinicians() -> None:
    with pytest.raises(ValidationError, match="clinician_ids"):
        VisitRequest.model_validate(_visit(type="joint_review", clinician_ids=["dr-a", "dr-a"]))
    ok = VisitRequest.model_validate(_visit(type="joint_review", clinician_ids=["dr-a", "dr-b"]))
    assert ok.duration == timedelta(minutes=30)
