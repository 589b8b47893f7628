"""asyncpg access to care-team membership and the patient profile."""

from datetime import date, datetime
from typing import Any

import asyncpg

from services.care_team.domain.engine.model import PatientProfile
from shared.db import Connection


async def member_roles(conn: Connection, patient_id: str) -> dict[str, str]:
    """The current team: clinician id -> role."""
    rows = await conn.fetch(
        """SELECT clinician_id, role FROM care_team_members
           WHERE patient_id = $1 AND removed_at IS NULL""",
        patient_id,
    )
    return {row["clinician_id"]: row["role"] for row in rows}


async def members(conn: Connection, patient_id: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT clinician_id, role, source, added_at FROM care_team_members
           WHERE patient_id = $1 AND removed_at IS NULL ORDER BY added_at, clinician_id""",
        patient_id,
    )


async def add_member(
    conn: Connection, patient_id: str, clinician_id: str, role: str, source: str
) -> bool:
    """True when the clinician was not a current member before."""
    added = await conn.fetchval(
        """INSERT INTO care_team_members (patient_id, clinician_id, role, source)
           VALUES ($1, $2, $3, $4)
           ON CONFLICT (patient_id, clinician_id) DO UPDATE
               SET role = excluded.role, source = excluded.source,
                   added_at = now(), removed_at = NULL
               WHERE care_team_members.removed_at IS NOT NULL
           RETURNING true""",
        patient_id,
        clinician_id,
        role,
        source,
    )
    return bool(added)


async def add_members(conn: Connection, added: list[tuple[str, str, str, str]]) -> None:
    """add_member for (patient, clinician, role, source) rows known not to be current
    members (a batch holding the locked patients' teams), in one statement."""
    if added:
        await conn.execute(
            """INSERT INTO care_team_members (patient_id, clinician_id, role, source)
               SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
               ON CONFLICT (patient_id, clinician_id) DO UPDATE
                   SET role = excluded.role, source = excluded.source,
                       added_at = now(), removed_at = NULL""",
            *([row[i] for row in added] for i in range(4)),
        )


async def remove_member(conn: Connection, patient_id: str, clinician_id: str) -> str | None:
    """The removed member's role, or None when they were not a current member."""
    role: str | None = await conn.fetchval(
        """UPDATE care_team_members SET removed_at = now()
           WHERE patient_id = $1 AND clinician_id = $2 AND removed_at IS NULL
           RETURNING role""",
        patient_id,
        clinician_id,
    )
    return role


_PROFILE_COLUMNS = (
    "birth_date, sex, pregnant, childbearing_potential, effective_contraception, conditions"
)


async def profile(conn: Connection, patient_id: str) -> PatientProfile:
    row = await conn.fetchrow(
        f"SELECT {_PROFILE_COLUMNS} FROM patients WHERE patient_id = $1", patient_id
    )
    return PatientProfile() if row is None else to_profile(row)


def to_profile(row: asyncpg.Record) -> PatientProfile:
    values: dict[str, Any] = {column: row[column] for column in _PROFILE_COLUMNS.split(", ")}
    values["conditions"] = frozenset(values["conditions"] or ())
    return PatientProfile(**values)


async def save_profile(
    conn: Connection,
    patient_id: str,
    *,
    birth_date: date | None,
    sex: str | None,
    pregnant: bool | None,
    childbearing_potential: bool | None,
    effective_contraception: bool | None,
    conditions: list[str],
    updated_at: datetime,
) -> None:
    await conn.execute(
        """UPDATE patients SET birth_date = $2, sex = $3, pregnant = $4,
               childbearing_potential = $5, effective_contraception = $6, conditions = $7,
               profile_updated_at = $8
           WHERE patient_id = $1""",
        patient_id,
        birth_date,
        sex,
        pregnant,
        childbearing_potential,
        effective_contraception,
        conditions,
        updated_at,
    )
