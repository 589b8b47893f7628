"""Who may see and change a patient's data here: the care team, the patient (their own
list), and integrations. Everyone else gets 404, so existence is not revealed. Every
attempt is audited."""

from fastapi import HTTPException, status

from shared.auth import Principal, PrincipalKind
from shared.db import Connection
from shared.events.care_team import TeamRole
from shared.events.prescriptions import Prescriber, PrescriberRole

PRESCRIBING_ROLES = frozenset(
    {TeamRole.HEADACHE_SPECIALIST, TeamRole.PSYCHIATRIST, TeamRole.PRIMARY_CARE}
)


def not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail="no such patient")


# The team read and the attempt audited in one round trip; the outcome is decided the same
# way in SQL and below: allowed outright, or allowed when the principal is on the team.
_TEAM_AND_AUDIT = """
    WITH team AS (
        SELECT clinician_id, role FROM care_team_members
        WHERE patient_id = $1 AND removed_at IS NULL
    ), audited AS (
        INSERT INTO audit_log (actor_subject, actor_kind, action, patient_id, resource, outcome)
        SELECT $2, $3, $4, $1, $5,
               CASE WHEN $6 OR ($7 AND EXISTS (SELECT 1 FROM team WHERE clinician_id = $2))
                    THEN 'allowed' ELSE 'denied' END
    )
    SELECT clinician_id, role FROM team"""


async def authorize_patient(
    conn: Connection,
    principal: Principal,
    patient_id: str,
    *,
    action: str,
    resource: str,
    patient_may: bool = False,
) -> dict[str, str]:
    """The patient's current team (clinician -> role) when the principal may proceed. The
    attempt is audited, a refusal too (outside any transaction of the caller's)."""
    match principal.kind:
        case PrincipalKind.SERVICE:
            outright, if_on_team = True, False
        case PrincipalKind.CLINICIAN:
            outright, if_on_team = False, True
        case PrincipalKind.PATIENT:
            outright, if_on_team = patient_may and principal.subject == patient_id, False
        case _:
            outright, if_on_team = False, False
    rows = await conn.fetch(
        _TEAM_AND_AUDIT,
        patient_id, principal.subject, principal.kind.value, action, resource, outright,
        if_on_team,
    )  # fmt: skip
    team = {row["clinician_id"]: row["role"] for row in rows}
    if not (outright or (if_on_team and principal.subject in team)):
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
