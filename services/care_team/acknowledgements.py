"""Use case: a team clinician acknowledges an open conflict with a reason."""

from uuid import UUID

from services.care_team import notification_routing
from services.care_team.adapters import conflict_repository as conflicts
from services.care_team.context import SOURCE, CareTeamContext
from shared import outbox
from shared.db import Connection
from shared.events.care_team import (
    AcknowledgementReason,
    ConflictAcknowledged,
    ConflictAcknowledgedData,
)
from shared.events.envelope import new_patient_event


class ConflictNotFound(Exception):
    pass


class ConflictNotOpen(Exception):
    pass


async def acknowledge(
    conn: Connection,
    ctx: CareTeamContext,
    patient_id: str,
    conflict_id: UUID,
    *,
    clinician_id: str,
    reason: AcknowledgementReason,
    note: str | None,
) -> ConflictAcknowledgedData:
    row = await conflicts.get_for_update(conn, patient_id, conflict_id)
    if row is None:
        raise ConflictNotFound()
    if row["status"] != "open":
        raise ConflictNotOpen()
    now = ctx.clock()
    await conflicts.add_acknowledgement(
        conn, conflict_id, clinician_id=clinician_id, reason=reason.value, note=note, now=now
    )
    data = ConflictAcknowledgedData(
        conflict_id=conflict_id,
        patient_id=patient_id,
        rule_id=row["rule_id"],
        severity=row["severity"],
        medications=list(row["medications"]),
        prescribers=list(row["prescribers"]),
        acknowledged_by=clinician_id,
        reason=reason,
        note=note,
        acknowledged_at=now,
    )
    event = new_patient_event(ConflictAcknowledged, source=SOURCE, patient_id=patient_id, data=data)
    await outbox.enqueue(conn, event, topic=ctx.care_team_topic, key=patient_id)
    await notification_routing.on_conflict_acknowledged(conn, ctx, event)
    return data
