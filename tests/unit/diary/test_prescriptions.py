"""The prescriptions projection: any arrival order gives the latest state, names filled in."""

from datetime import UTC, datetime, timedelta
from itertools import permutations

import pytest

from services.diary.domain.prescriptions import (
    ChangeKind,
    MedicationChange,
    PrescriptionStatus,
    project,
)
from shared.events.prescriptions import PrescriberRole

T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)


def change(
    event_id: str, kind: ChangeKind, days: int, *, dose: str | None = None, name: str | None = None
) -> MedicationChange:
    return MedicationChange(
        event_id=event_id,
        patient_id="p-1",
        prescription_id="rx-881",
        kind=kind,
        effective_at=T0 + timedelta(days=days),
        prescriber_id="dr-okafor",
        prescriber_role=PrescriberRole.PSYCHIATRIST,
        medication_name=name if kind is ChangeKind.STOPPED else name or "fluoxetine",
        dose=dose,
        frequency=None if kind is ChangeKind.STOPPED else "once daily",
    )


STARTED = change("e1", ChangeKind.STARTED, 0, dose="20 mg")
RAISED = change("e2", ChangeKind.CHANGED, 30, dose="40 mg")
STOPPED = change("e3", ChangeKind.STOPPED, 60)


def test_in_order_the_latest_event_decides() -> None:
    p = project([STARTED, RAISED, STOPPED])
    assert (p.medication_name, p.dose, p.frequency) == ("fluoxetine", "40 mg", "once daily")
    assert p.status is PrescriptionStatus.STOPPED
    assert p.last_effective_at == STOPPED.effective_at


@pytest.mark.parametrize("order", list(permutations([STARTED, RAISED, STOPPED])))
def test_any_arrival_order_gives_the_same_prescription(
    order: tuple[MedicationChange, ...],
) -> None:
    assert project(order) == project([STARTED, RAISED, STOPPED])


def test_a_stop_first_has_no_name_until_the_start_arrives() -> None:
    stopped_first = project([STOPPED])
    assert stopped_first.medication_name is None
    assert stopped_first.status is PrescriptionStatus.STOPPED
    filled = project([STOPPED, STARTED])
    assert filled.medication_name == "fluoxetine" and filled.dose == "20 mg"
    assert filled.status is PrescriptionStatus.STOPPED  # the older start does not revive it


def test_an_older_change_does_not_overwrite_a_newer_dose() -> None:
    assert project([RAISED, STARTED]).dose == "40 mg"


def test_effective_at_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        MedicationChange(
            event_id="x",
            patient_id="p",
            prescription_id="r",
            kind=ChangeKind.STARTED,
            effective_at=datetime(2026, 1, 1),  # naive: the point of the test
            prescriber_id="d",
            prescriber_role=PrescriberRole.NURSE,
        )


def test_a_stop_at_the_same_instant_as_the_start_wins() -> None:
    same = change("e4", ChangeKind.STOPPED, 0)
    assert project([same, STARTED]).status is PrescriptionStatus.STOPPED


def test_no_events_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one"):
        project([])
