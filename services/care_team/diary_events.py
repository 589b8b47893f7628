"""Use case: follow the diary (attacks with the drugs taken, corrections, deletions), keep
the intakes, and re-evaluate the patient's conflicts, since intakes can raise or end them."""

from typing import Any

from services.care_team.adapters import intake_repository as intakes
from services.care_team.adapters import prescription_repository as prescriptions
from services.care_team.context import CareTeamContext
from services.care_team.evaluation import reevaluate
from shared.db import Connection
from shared.events.diary import (
    ATTACK_RECORDED,
    ENTRY_DELETED,
    AttackData,
    EntryDeletedData,
    EntryType,
)
from shared.events.envelope import CloudEvent

DIARY_CONSUMER = "care_team.diary"


async def apply_diary_event(
    conn: Connection, ctx: CareTeamContext, event: CloudEvent[dict[str, Any]]
) -> None:
    if event.type == ATTACK_RECORDED:
        attack = AttackData.model_validate(event.data)
        patient_id, entry_id, revision = attack.patient_id, attack.entry_id, attack.revision
        taken = [
            intakes.Intake(
                name=m.name.lower(),
                ingredient=(drug := ctx.engine.resolve(m.name, None)).ingredient,
                recognised=drug.recognised,
                dose=m.dose,
                taken_at=m.taken_at,
                taken_on=m.taken_at.date(),  # in the offset the patient's device gave
            )
            for m in attack.medications
        ]
    elif event.type == ENTRY_DELETED:
        deleted = EntryDeletedData.model_validate(event.data)
        if deleted.entry_type is not EntryType.ATTACK:
            return
        patient_id, entry_id, revision, taken = (
            deleted.patient_id,
            deleted.entry_id,
            deleted.revision,
            [],
        )
    else:
        return  # check-ins, questionnaires and alerts carry no drug intake
    await prescriptions.lock_patient(conn, patient_id)
    if not await intakes.newer_revision(conn, patient_id, entry_id, revision):
        return  # an older revision arriving late: the newer one already applied
    await intakes.replace_entry_intakes(conn, patient_id, entry_id, taken)
    await reevaluate(conn, ctx, patient_id, changed_by=None)
