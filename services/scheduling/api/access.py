"""Who may see and change visits. Clinicians: their own schedule and the visits of patients
they treat (care_team's members); patients: their own; integrations: all. Non-members get
404 (a visit's existence is not revealed); every read and refusal is audited."""

from fastapi import HTTPException, status

from services.scheduling.adapters import team_repository
from shared.audit import record_access
from shared.auth import Principal, PrincipalKind, may_access_patient
from shared.db import Connection
from shared.events.visits import VisitData


async def may_see_patient(conn: Connection, principal: Principal, patient_id: str) -> bool:
    team = await team_repository.members(conn, patient_id)
    return may_access_patient(principal, patient_id, team)


async def authorize_visit(
    conn: Connection, principal: Principal, visit: VisitData, *, action: str
) -> None:
    """Participants, the patient's care team, the patient, integrations; else 404."""
    allowed = (
        principal.kind is PrincipalKind.CLINICIAN and principal.subject in visit.clinician_ids
    ) or await may_see_patient(conn, principal, visit.patient_id)
    await record_access(
        conn, principal, action=action, patient_id=visit.patient_id, resource="visit",
        allowed=allowed,
    )  # fmt: skip
    if not allowed:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such visit")


def may_record_outcome(principal: Principal, visit: VisitData) -> bool:
    """Completed / no-show: said by a clinician at the visit, or an integration (an EHR)."""
    return principal.kind is PrincipalKind.SERVICE or (
        principal.kind is PrincipalKind.CLINICIAN and principal.subject in visit.clinician_ids
    )
