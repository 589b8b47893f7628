"""Use case: turn an event from any topic into the notifications it causes (one consumer per
topic, each in its own transaction with the event's inbox row)."""

from typing import Any

from services.care_team.adapters import prescription_repository as prescriptions
from services.care_team.adapters import team_repository as team
from services.care_team.context import CareTeamContext
from services.care_team.domain import routing
from services.care_team.notifying import notify
from shared.db import Connection
from shared.events.care_team import (
    CONFLICT_ACKNOWLEDGED,
    CONFLICT_FLAGGED,
    CONFLICT_RESOLVED,
    ConflictAcknowledgedData,
    ConflictFlaggedData,
    ConflictResolvedData,
)
from shared.events.diary import ALERT_RAISED, AlertData
from shared.events.envelope import CloudEvent
from shared.events.prescriptions import PrescriptionEvent, PrescriptionStoppedData
from shared.events.visits import VISIT_CANCELLED, VisitCancelledData, VisitData

NOTIFICATIONS_CONSUMER = "care_team.notifications"
_CHANGE = {
    "org.carecoord.prescription.started.v1": "started",
    "org.carecoord.prescription.changed.v1": "changed",
    "org.carecoord.prescription.stopped.v1": "stopped",
}


async def _notify(
    conn: Connection,
    ctx: CareTeamContext,
    event: CloudEvent[Any],
    patient_id: str,
    routes: list[routing.Route],
) -> None:
    if routes:
        await notify(conn, ctx, routes, patient_id=patient_id, cause_event_id=event.id,
                     cause_type=event.type)  # fmt: skip


async def on_prescription(conn: Connection, ctx: CareTeamContext, event: PrescriptionEvent) -> None:
    data = event.data
    if isinstance(data, PrescriptionStoppedData):
        known = await prescriptions.get_prescription(conn, data.patient_id, data.prescription_id)
        name = known.medication_name if known else None
        dose = None
    else:
        name, dose = data.medication.name, data.dose
    members = await team.member_roles(conn, data.patient_id)
    routes = routing.medication_changed(
        members, changer_id=data.prescriber.id, change=_CHANGE[event.type], medication=name,
        dose=dose,
    )  # fmt: skip
    await _notify(conn, ctx, event, data.patient_id, routes)


async def on_care_team(
    conn: Connection, ctx: CareTeamContext, event: CloudEvent[dict[str, Any]]
) -> None:
    if event.type == CONFLICT_FLAGGED:
        flagged = ConflictFlaggedData.model_validate(event.data)
        members = await team.member_roles(conn, flagged.patient_id)
        routes = routing.conflict_flagged(members, flagged)
        patient_id = flagged.patient_id
    elif event.type == CONFLICT_ACKNOWLEDGED:
        acked = ConflictAcknowledgedData.model_validate(event.data)
        routes, patient_id = routing.conflict_acknowledged(acked), acked.patient_id
    elif event.type == CONFLICT_RESOLVED:
        resolved = ConflictResolvedData.model_validate(event.data)
        routes, patient_id = routing.conflict_resolved(resolved), resolved.patient_id
    else:
        return  # membership changes notify nobody
    await _notify(conn, ctx, event, patient_id, routes)


async def on_diary(
    conn: Connection, ctx: CareTeamContext, event: CloudEvent[dict[str, Any]]
) -> None:
    if event.type != ALERT_RAISED:
        return
    alert = AlertData.model_validate(event.data)
    members = await team.member_roles(conn, alert.patient_id)
    await _notify(conn, ctx, event, alert.patient_id, routing.diary_alert(members, alert))


async def on_visit(
    conn: Connection, ctx: CareTeamContext, event: CloudEvent[dict[str, Any]]
) -> None:
    visit = VisitData.model_validate(event.data)
    actor = None
    if event.type == VISIT_CANCELLED:
        actor = VisitCancelledData.model_validate(event.data).cancelled_by
    await _notify(
        conn, ctx, event, visit.patient_id, routing.visit_changed(event.type, visit, actor)
    )
