"""The audit log of patient-data access: written before the data is returned."""

from fastapi import HTTPException, status

from shared.auth import Principal
from shared.db import Connection


async def record_access(
    conn: Connection,
    principal: Principal,
    *,
    action: str,
    patient_id: str,
    resource: str,
    allowed: bool,
) -> None:
    await conn.execute(
        """INSERT INTO audit_log (actor_subject, actor_kind, action, patient_id, resource, outcome)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        principal.subject,
        principal.kind.value,
        action,
        patient_id,
        resource,
        "allowed" if allowed else "denied",
    )


async def authorize(
    conn: Connection,
    principal: Principal,
    *,
    allowed: bool,
    action: str,
    patient_id: str,
    resource: str,
) -> None:
    """Audit the attempt, then refuse it with 403 unless allowed."""
    await record_access(
        conn, principal, action=action, patient_id=patient_id, resource=resource, allowed=allowed
    )
    if not allowed:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="not on this patient's care team")
