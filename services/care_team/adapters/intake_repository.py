"""asyncpg access to the diary intakes care_team keeps for its time-window rules."""

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from services.care_team.domain.engine import model as engine
from shared.db import Connection


@dataclass(frozen=True)
class Intake:
    name: str
    ingredient: str
    recognised: bool
    dose: str | None
    taken_at: datetime
    taken_on: date  # the patient's local day (the offset the diary gave)


async def newer_revision(conn: Connection, patient_id: str, entry_id: UUID, revision: int) -> bool:
    """Record `revision` as applied; False when an equal or newer one was applied before."""
    applied = await conn.fetchval(
        """INSERT INTO diary_entry_revisions (patient_id, entry_id, revision) VALUES ($1, $2, $3)
           ON CONFLICT (patient_id, entry_id) DO UPDATE SET revision = excluded.revision
               WHERE diary_entry_revisions.revision < excluded.revision
           RETURNING true""",
        patient_id,
        entry_id,
        revision,
    )
    return bool(applied)


async def replace_entry_intakes(
    conn: Connection, patient_id: str, entry_id: UUID, intakes: list[Intake]
) -> None:
    await conn.execute(
        "DELETE FROM intakes WHERE patient_id = $1 AND entry_id = $2", patient_id, entry_id
    )
    await conn.executemany(
        """INSERT INTO intakes (patient_id, entry_id, position, name, ingredient, recognised,
                                dose, taken_at, taken_on)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
        [
            (
                patient_id,
                entry_id,
                i,
                x.name,
                x.ingredient,
                x.recognised,
                x.dose,
                x.taken_at,
                x.taken_on,
            )
            for i, x in enumerate(intakes)
        ],
    )


async def doses_since(conn: Connection, patient_id: str, since: datetime) -> list[engine.Intake]:
    """The doses the engine needs (it resolves the names itself)."""
    rows = await conn.fetch(
        """SELECT name, dose, taken_at, taken_on FROM intakes
           WHERE patient_id = $1 AND taken_at >= $2 ORDER BY taken_at, entry_id, position""",
        patient_id,
        since,
    )
    return [engine.Intake(**dict(row)) for row in rows]
