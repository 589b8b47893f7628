"""asyncpg access to the diary schema."""

from typing import Any
from uuid import UUID

import asyncpg

from shared.db import Connection
from shared.events.diary import AttackData


def _to_attack(row: asyncpg.Record) -> AttackData:
    return AttackData.model_validate(dict(row))


async def insert_attack(conn: Connection, attack: AttackData) -> bool:
    """False when the entry already exists (nothing is written then)."""
    medications: list[dict[str, Any]] = [m.model_dump(mode="json") for m in attack.medications]
    inserted = await conn.fetchval(
        """INSERT INTO attacks
               (patient_id, entry_id, started_at, ended_at, intensity, medications, recorded_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT DO NOTHING
           RETURNING true""",
        attack.patient_id,
        attack.entry_id,
        attack.started_at,
        attack.ended_at,
        attack.intensity,
        medications,
        attack.recorded_at,
    )
    return bool(inserted)


async def get_attack(conn: Connection, patient_id: str, entry_id: UUID) -> AttackData | None:
    row = await conn.fetchrow(
        """SELECT patient_id, entry_id, started_at, ended_at, intensity, medications, recorded_at
           FROM attacks WHERE patient_id = $1 AND entry_id = $2""",
        patient_id,
        entry_id,
    )
    return _to_attack(row) if row else None
