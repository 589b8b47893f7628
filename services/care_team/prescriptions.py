"""Use case: apply one `prescription.*` event (ours or an EHR's) to the medication list."""

from services.care_team.adapters import repository
from services.care_team.domain.prescriptions import apply_event
from shared.db import Connection
from shared.events.prescriptions import (
    PrescriberRole,
    PrescriptionChanged,
    PrescriptionStarted,
    PrescriptionStopped,
)


async def apply_prescription_event(
    conn: Connection,
    event: PrescriptionStarted | PrescriptionChanged | PrescriptionStopped,
) -> None:
    data = event.data
    await repository.ensure_patient(conn, data.patient_id)
    if data.prescriber.role is not PrescriberRole.SELF_REPORTED:
        await repository.add_team_member(
            conn, data.patient_id, data.prescriber.id, data.prescriber.role.value, "prescription"
        )
    current = await repository.get_for_update(conn, data.prescription_id)
    await repository.save(conn, apply_event(current, event))
    await repository.record_change(
        conn,
        event_id=event.id,
        event_type=event.type,
        prescription_id=data.prescription_id,
        patient_id=data.patient_id,
        prescriber_id=data.prescriber.id,
        effective_at=data.effective_at,
        data=data.model_dump(mode="json"),
    )
