"""A prescription's current state and how each `prescription.*` event changes it.

Pure: no I/O. Events are applied in the order they were published for the
patient (one Kafka partition per patient keeps that order).
"""

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from shared.dead_letters import InvalidEvent
from shared.events.prescriptions import (
    PrescriptionChanged,
    PrescriptionData,
    PrescriptionStarted,
    PrescriptionStopped,
)


class PrescriptionStatus(StrEnum):
    ACTIVE = "active"
    STOPPED = "stopped"


@dataclass(frozen=True)
class Prescription:
    prescription_id: str
    patient_id: str
    prescriber_id: str
    prescriber_role: str
    medication_name: str | None  # as given; None only when a stop came for one never seen
    rxcui: str | None
    dose: str | None
    route: str | None
    frequency: str | None
    indication: str | None
    status: PrescriptionStatus
    started_at: datetime | None
    stopped_at: datetime | None
    updated_at: datetime
    ingredient: str | None = None  # what the name/RxCUI resolved to (set by the use case)
    recognised: bool = False


def normalise_ingredient(name: str) -> str:
    return " ".join(name.split()).lower()


def _from_data(data: PrescriptionData, *, started_at: datetime | None) -> Prescription:
    return Prescription(
        prescription_id=data.prescription_id,
        patient_id=data.patient_id,
        prescriber_id=data.prescriber.id,
        prescriber_role=data.prescriber.role.value,
        medication_name=normalise_ingredient(data.medication.name),
        rxcui=data.medication.rxcui,
        dose=data.dose,
        route=data.route,
        frequency=data.frequency,
        indication=data.indication,
        status=PrescriptionStatus.ACTIVE,
        started_at=started_at,
        stopped_at=None,
        updated_at=data.effective_at,
    )


def apply_event(
    current: Prescription | None,
    event: PrescriptionStarted | PrescriptionChanged | PrescriptionStopped,
) -> Prescription:
    data = event.data
    if current is not None and current.patient_id != data.patient_id:
        raise InvalidEvent("prescription_id already belongs to another patient")
    match event:
        case PrescriptionStarted():
            return _from_data(event.data, started_at=event.data.effective_at)
        case PrescriptionChanged():
            # A change for a prescription not seen yet still counts: clinical data is never dropped.
            changed = _from_data(event.data, started_at=current.started_at if current else None)
            if current is not None and current.status is PrescriptionStatus.STOPPED:
                return replace(changed, status=current.status, stopped_at=current.stopped_at)
            return changed
        case PrescriptionStopped():
            stopped = event.data
            if current is None:
                return Prescription(
                    prescription_id=stopped.prescription_id,
                    patient_id=stopped.patient_id,
                    prescriber_id=stopped.prescriber.id,
                    prescriber_role=stopped.prescriber.role.value,
                    medication_name=None,
                    rxcui=None,
                    dose=None,
                    route=None,
                    frequency=None,
                    indication=None,
                    status=PrescriptionStatus.STOPPED,
                    started_at=None,
                    stopped_at=stopped.effective_at,
                    updated_at=stopped.effective_at,
                )
            return replace(
                current,
                status=PrescriptionStatus.STOPPED,
                stopped_at=stopped.effective_at,
                updated_at=stopped.effective_at,
            )
