"""asyncpg access to the care_team schema. Every function runs on the caller's connection."""

from typing import Any

import asyncpg

from services.care_team.domain.prescriptions import Prescription, PrescriptionStatus
from shared.db import Connection

_COLUMNS = (
    "prescription_id, patient_id, prescriber_id, prescriber_role, medication_name, rxcui, "
    "dose, route, frequency, indication, status, started_at, stopped_at, updated_at"
)


def _to_prescription(row: asyncpg.Record) -> Prescription:
    values = dict(row)
    values["status"] = PrescriptionStatus(values["status"])
    return Prescription(**values)


async def ensure_patient(conn: Connection, patient_id: str) -> None:
    await conn.execute(
        "INSERT INTO patients (patient_id) VALUES ($1) ON CONFLICT DO NOTHING", patient_id
    )


async def add_team_member(
    conn: Connection, patient_id: str, clinician_id: str, role: str, source: str
) -> None:
    await conn.execute(
        """INSERT INTO care_team_members (patient_id, clinician_id, role, source)
           VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING""",
        patient_id,
        clinician_id,
        role,
        source,
    )


async def team_member_ids(conn: Connection, patient_id: str) -> set[str]:
    rows = await conn.fetch(
        "SELECT clinician_id FROM care_team_members WHERE patient_id = $1", patient_id
    )
    return {row["clinician_id"] for row in rows}


async def patient_exists(conn: Connection, patient_id: str) -> bool:
    return bool(await conn.fetchval("SELECT true FROM patients WHERE patient_id = $1", patient_id))


async def get_for_update(conn: Connection, prescription_id: str) -> Prescription | None:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM prescriptions WHERE prescription_id = $1 FOR UPDATE",
        prescription_id,
    )
    return _to_prescription(row) if row else None


async def save(conn: Connection, p: Prescription) -> None:
    await conn.execute(
        f"""INSERT INTO prescriptions ({_COLUMNS})
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
            ON CONFLICT (prescription_id) DO UPDATE SET
                prescriber_id = excluded.prescriber_id,
                prescriber_role = excluded.prescriber_role,
                medication_name = excluded.medication_name,
                rxcui = excluded.rxcui,
                dose = excluded.dose,
                route = excluded.route,
                frequency = excluded.frequency,
                indication = excluded.indication,
                status = excluded.status,
                started_at = excluded.started_at,
                stopped_at = excluded.stopped_at,
                updated_at = excluded.updated_at""",
        p.prescription_id,
        p.patient_id,
        p.prescriber_id,
        p.prescriber_role,
        p.medication_name,
        p.rxcui,
        p.dose,
        p.route,
        p.frequency,
        p.indication,
        p.status.value,
        p.started_at,
        p.stopped_at,
        p.updated_at,
    )


async def record_change(
    conn: Connection,
    *,
    event_id: str,
    event_type: str,
    prescription_id: str,
    patient_id: str,
    prescriber_id: str,
    effective_at: Any,
    data: dict[str, Any],
) -> None:
    await conn.execute(
        """INSERT INTO prescription_changes (event_id, event_type, prescription_id,
               patient_id, prescriber_id, effective_at, data)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        event_id,
        event_type,
        prescription_id,
        patient_id,
        prescriber_id,
        effective_at,
        data,
    )


async def active_medications(conn: Connection, patient_id: str) -> list[Prescription]:
    rows = await conn.fetch(
        f"""SELECT {_COLUMNS} FROM prescriptions
            WHERE patient_id = $1 AND status = 'active'
            ORDER BY medication_name, prescription_id""",
        patient_id,
    )
    return [_to_prescription(row) for row in rows]
