"""asyncpg access to the scheduling schema."""

from uuid import UUID

from shared.db import Connection
from shared.events.visits import VisitData

_COLUMNS = "visit_id, patient_id, clinician_ids, type, modality, starts_at, ends_at, status"


async def insert_visit(conn: Connection, visit: VisitData) -> bool:
    """False when a visit with this id exists already (nothing is written then)."""
    inserted = await conn.fetchval(
        f"""INSERT INTO visits ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT DO NOTHING RETURNING true""",
        visit.visit_id,
        visit.patient_id,
        visit.clinician_ids,
        visit.type.value,
        visit.modality.value,
        visit.starts_at,
        visit.ends_at,
        visit.status.value,
    )
    return bool(inserted)


async def get_visit(conn: Connection, visit_id: UUID) -> VisitData | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM visits WHERE visit_id = $1", visit_id)
    return VisitData.model_validate(dict(row)) if row else None
