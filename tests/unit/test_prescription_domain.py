from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.care_team.domain.prescriptions import (
    PrescriptionStatus,
    apply_event,
    normalise_ingredient,
)
from shared.dead_letters import InvalidEvent
from shared.events.prescriptions import (
    PrescriptionChanged,
    PrescriptionStarted,
    PrescriptionStopped,
)

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def _data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "prescription_id": "rx-1",
        "patient_id": "p-1",
        "prescriber": {"id": "dr-okafor", "role": "psychiatrist"},
        "medication": {"name": "Fluoxetine", "rxcui": "4493"},
        "dose": "20 mg",
        "frequency": "once daily",
        "indication": "depression",
        "effective_at": T0,
    }
    data.update(overrides)
    return data


def started(**kw: Any) -> PrescriptionStarted:
    return PrescriptionStarted(id="e1", source="/t", data=_data(**kw))


def changed(**kw: Any) -> PrescriptionChanged:
    return PrescriptionChanged(id="e2", source="/t", data=_data(**kw))


def stopped(at: datetime, patient_id: str = "p-1") -> PrescriptionStopped:
    return PrescriptionStopped(
        id="e3",
        source="/t",
        data={
            "prescription_id": "rx-1",
            "patient_id": patient_id,
            "prescriber": {"id": "dr-okafor", "role": "psychiatrist"},
            "effective_at": at,
        },
    )


def test_start_creates_an_active_prescription_with_the_ingredient_name() -> None:
    p = apply_event(None, started())
    assert p.status is PrescriptionStatus.ACTIVE
    assert (p.medication_name, p.dose, p.started_at) == ("fluoxetine", "20 mg", T0)


def test_change_updates_dose_and_keeps_the_start_date() -> None:
    later = T0 + timedelta(days=14)
    p = apply_event(apply_event(None, started()), changed(dose="40 mg", effective_at=later))
    assert (p.dose, p.started_at, p.updated_at) == ("40 mg", T0, later)
    assert p.status is PrescriptionStatus.ACTIVE


def test_change_for_an_unseen_prescription_is_kept_with_unknown_start() -> None:
    p = apply_event(None, changed(dose="40 mg"))
    assert (p.status, p.dose, p.started_at) == (PrescriptionStatus.ACTIVE, "40 mg", None)


def test_stop_ends_the_prescription_and_keeps_what_it_was() -> None:
    at = T0 + timedelta(days=30)
    p = apply_event(apply_event(None, started()), stopped(at))
    assert (p.status, p.stopped_at, p.medication_name) == (
        PrescriptionStatus.STOPPED,
        at,
        "fluoxetine",
    )


def test_stop_of_an_unseen_prescription_is_recorded_not_dropped() -> None:
    p = apply_event(None, stopped(T0))
    assert p.status is PrescriptionStatus.STOPPED
    assert p.medication_name is None


def test_change_after_stop_does_not_reactivate() -> None:
    s = apply_event(apply_event(None, started()), stopped(T0 + timedelta(days=1)))
    p = apply_event(s, changed(dose="10 mg", effective_at=T0 + timedelta(days=2)))
    assert p.status is PrescriptionStatus.STOPPED


def test_restart_after_stop_is_active_again() -> None:
    s = apply_event(apply_event(None, started()), stopped(T0 + timedelta(days=1)))
    p = apply_event(s, started(effective_at=T0 + timedelta(days=3)))
    assert (p.status, p.started_at, p.stopped_at) == (
        PrescriptionStatus.ACTIVE,
        T0 + timedelta(days=3),
        None,
    )


def test_an_event_moving_a_prescription_to_another_patient_is_invalid() -> None:
    current = apply_event(None, started())
    with pytest.raises(InvalidEvent):
        apply_event(current, stopped(T0, patient_id="p-2"))


@pytest.mark.parametrize(
    ("raw", "name"), [("  Amitriptyline ", "amitriptyline"), ("St  John's wort", "st john's wort")]
)
def test_ingredient_names_are_normalised(raw: str, name: str) -> None:
    assert normalise_ingredient(raw) == name
