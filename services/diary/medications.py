"""Use case: keep the diary's projection of prescriptions from `prescription.*` events, so
clinicians see medication changes beside the diary and preventives can be judged.

Every event is kept, also for a patient or prescription never seen before (clinical data is
never dropped for being early, DESIGN.md); the inbox makes a redelivery a no-op.
"""

from dataclasses import replace

from services.diary.adapters import medication_repository as repository
from services.diary.domain.prescriptions import ChangeKind, MedicationChange, project
from shared.db import Connection
from shared.events.prescriptions import (
    PrescriptionChanged,
    PrescriptionData,
    PrescriptionStarted,
    PrescriptionStopped,
)

PrescriptionEventIn = PrescriptionStarted | PrescriptionChanged | PrescriptionStopped

_KINDS: dict[type[PrescriptionEventIn], ChangeKind] = {
    PrescriptionStarted: ChangeKind.STARTED,
    PrescriptionChanged: ChangeKind.CHANGED,
    PrescriptionStopped: ChangeKind.STOPPED,
}


def change_from_event(event: PrescriptionEventIn) -> MedicationChange:
    data = event.data
    change = MedicationChange(
        event_id=event.id,
        patient_id=data.patient_id,
        prescription_id=data.prescription_id,
        kind=_KINDS[type(event)],
        effective_at=data.effective_at,
        prescriber_id=data.prescriber.id,
        prescriber_role=data.prescriber.role,
    )
    if isinstance(data, PrescriptionData):
        return replace(
            change,
            medication_name=data.medication.name.strip().lower(),  # generic, case-insensitive
            rxcui=data.medication.rxcui,
            dose=data.dose,
            frequency=data.frequency,
            route=data.route,
            indication=data.indication,
        )
    return replace(change, reason=data.reason)


async def apply_prescription_event(conn: Connection, event: PrescriptionEventIn) -> None:
    """Call inside the inbox transaction of the event."""
    change = change_from_event(event)
    await repository.lock_prescription(conn, change.patient_id, change.prescription_id)
    if not await repository.insert_change(conn, change):
        return  # the same event id stored before: its effect exists already
    events = await repository.changes_of_prescription(
        conn, change.patient_id, change.prescription_id
    )
    await repository.save_prescription(conn, project(events))
