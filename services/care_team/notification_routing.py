"""Use case: turn an event into the notifications it causes, in the transaction that decides
them. care_team's own events (prescription changes, conflicts flagged, acknowledged and
resolved) are routed in the transaction that creates them: the team is read as that change
saw it, nothing waits for a Kafka round trip, and there is no second consumer to race the
first. Other services' events (diary alerts, visits) come through their own consumers, each
in one transaction with the event's inbox row."""

from typing import Any

from services.care_team import batch_memo
from services.care_team.adapters import prescription_repository as prescriptions
from services.care_team.adapters import team_repository as team
from services.care_team.context import CareTeamContext
from services.care_team.domain import routing
from services.care_team.notifying import notify
from shared.db import Connection
from shared.events.care_team import ConflictAcknowledged, ConflictFlagged, ConflictResolved
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


async def _team(conn: Connection, patient_id: str) -> dict[str, str]:
    """The patient's team (read once per consumer batch; the patient is locked)."""
    memo = batch_memo.current()
    if memo is None:
        return await team.member_roles(conn, patient_id)
    if patient_id not in memo.teams:
        memo.teams[patient_id] = await team.member_roles(conn, patient_id)
    return memo.teams[patient_id]


async def on_prescription(conn: Connection, ctx: CareTeamContext, event: PrescriptionEvent) -> None:
    data = event.data
    if isinstance(data, PrescriptionStoppedData):
        known = await prescriptions.get_prescription(conn, data.patient_id, data.prescription_id)
        name = known.medication_name if known else None
        dose = None
    else:
        name, dose = data.medication.name, data.dose
    members = await _team(conn, data.patient_id)
    routes = routing.medication_changed(
        members, changer_id=data.prescriber.id, change=_CHANGE[event.type], medication=name,
        dose=dose,
    )  # fmt: skip
    await _notify(conn, ctx, event, data.patient_id, routes)


async def on_conflict_flagged(
    conn: Connection, ctx: CareTeamContext, event: ConflictFlagged
) -> None:
    members = await _team(conn, event.data.patient_id)
    routes = routing.conflict_flagged(members, event.data)
    await _notify(conn, ctx, event, event.data.patient_id, routes)


async def on_conflict_acknowledged(
    conn: Connection, ctx: CareTeamContext, event: ConflictAcknowledged
) -> None:
    routes = routing.conflict_acknowledged(event.data)
    await _notify(conn, ctx, event, event.data.patient_id, routes)


async def on_conflict_resolved(
    conn: Connection, ctx: CareTeamContext, event: ConflictResolved
) -> None:
    routes = routing.conflict_resolved(event.data)
    await _notify(conn, ctx, event, event.data.patient_id, routes)


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
