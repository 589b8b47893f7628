"""Who may see and write a patient's diary: the patient (their own), integrations acting
for them, and, for reading, the clinicians on the patient's care team. Everyone else
gets 404 (existence is not revealed); every attempt is audited.

The clinician views (summary, preventive effects) are for the care team and integrations
only: the patient gets 403 and reads their own diary through the entry endpoints."""

from fastapi import HTTPException, status

from services.diary.adapters import repository
from shared.audit import record_access
from shared.auth import Principal, PrincipalKind, may_access_patient
from shared.db import Connection


def not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail="no such patient")


async def authorize_read(
    conn: Connection, principal: Principal, patient_id: str, *, resource: str
) -> None:
    team = await repository.care_team(conn, patient_id)
    allowed = may_access_patient(principal, patient_id, team)
    await record_access(
        conn, principal, action="read", patient_id=patient_id, resource=resource, allowed=allowed
    )
    if not allowed:
        raise not_found()


async def authorize_write(
    conn: Connection, principal: Principal, patient_id: str, *, resource: str
) -> None:
    allowed = principal.kind is PrincipalKind.SERVICE or (
        principal.kind is PrincipalKind.PATIENT and principal.subject == patient_id
    )
    await record_access(
        conn, principal, action="write", patient_id=patient_id, resource=resource, allowed=allowed
    )
    if allowed:
        return
    if principal.subject in await repository.care_team(conn, patient_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="only the patient writes the diary")
    raise not_found()


async def authorize_team_read(
    conn: Connection, principal: Principal, patient_id: str, *, resource: str
) -> None:
    team = await repository.care_team(conn, patient_id)
    own = principal.kind is PrincipalKind.PATIENT and principal.subject == patient_id
    allowed = not own and may_access_patient(principal, patient_id, team)
    await record_access(
        conn, principal, action="read", patient_id=patient_id, resource=resource, allowed=allowed
    )
    if own:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="this view is for the care team; patients read their own diary through "
            "the attack, check-in and questionnaire endpoints",
        )
    if not allowed:
        raise not_found()
