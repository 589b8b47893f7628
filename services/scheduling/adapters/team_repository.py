"""asyncpg access to the care-team projection (who treats whom, in which role)."""

from shared.db import Connection


async def set_member(
    conn: Connection, patient_id: str, clinician_id: str, role: str, *, present: bool
) -> None:
    if present:
        await conn.execute(
            """INSERT INTO care_team_members (patient_id, clinician_id, role) VALUES ($1, $2, $3)
               ON CONFLICT (patient_id, clinician_id) DO UPDATE SET role = excluded.role""",
            patient_id,
            clinician_id,
            role,
        )
    else:
        await conn.execute(
            "DELETE FROM care_team_members WHERE patient_id = $1 AND clinician_id = $2",
            patient_id,
            clinician_id,
        )


async def members(conn: Connection, patient_id: str) -> set[str]:
    rows = await conn.fetch(
        "SELECT clinician_id FROM care_team_members WHERE patient_id = $1", patient_id
    )
    return {r["clinician_id"] for r in rows}


async def roles(conn: Connection, patient_id: str) -> dict[str, str]:
    """clinician id -> role, for the patient's team."""
    rows = await conn.fetch(
        "SELECT clinician_id, role FROM care_team_members WHERE patient_id = $1 ORDER BY 1",
        patient_id,
    )
    return {r["clinician_id"]: r["role"] for r in rows}
