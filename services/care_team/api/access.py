"""Who may see and change a patient's data here: the care team, the patient (their own
list), and integrations. Everyone else gets 404, so existence is not revealed. Every
attempt is audited."""

from fastapi import HTTPException, status

from services.care_team.adapters import team_repository
from shared.audit import record_access
from shared.auth import Principal, PrincipalKind
from shared.db import Connection
from shared.events.care_team import TeamRole
from shared.events.prescriptions import Prescriber, PrescriberRole

PRESCRIBING_ROLES = frozenset(
    {TeamRole.HEADACHE_SPECIALIST, TeamRole.PSYCHIATRIST, TeamRole.PRIMARY_CARE}
)


def not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail="no such patient")


async def authorize_patient(
    conn: Connection,
    principal: Principal,
    patient_id: str,
    *,
    action: str,
    resource: str,
    patient_may: bool = False,
) -> dict[str, str]:
    """The patient's current team (clinician -> role) when the principal may proceed."""
    team = await team_repository.member_roles(conn, patient_id)
    match principal.kind:
        case PrincipalKind.SERVICE:
            allowed = True
        case PrincipalKind.CLINICIAN:
            allowed = principal.subject in team
        case PrincipalKind.PATIENT:
            allowed = patient_may and principal.subject == patient_id
        case _:
            allowed = False
    # Outside the caller's transaction scope on purpose: a refusal is recorded too.
    await record_access(
        conn, principal, action=action, patient_id=patient_id, resource=resource, allowed=allowed
    )
    if not allowed:
        raise not_found()
    return team


def acting_prescriber(principal: Principal, team: dict[str, str]) -> Prescriber:
    """The clinician making a prescription change: on the team, in a prescribing role."""
    role = team.get(principal.subject) if principal.kind is PrincipalKind.CLINICIAN else None
    if role is None or role not in PRESCRIBING_ROLES:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="only a prescribing clinician on the care team may change prescriptions",
        )
    return Prescriber(id=principal.subject, role=PrescriberRole(role))
