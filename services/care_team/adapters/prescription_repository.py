"""asyncpg access to the care_team schema. Every function runs on the caller's connection."""

from datetime import datetime
from typing import Any

import asyncpg

from services.care_team import batch_memo
from services.care_team.domain.prescriptions import Prescription, PrescriptionStatus
from shared.db import Connection

_COLUMNS = (
    "prescription_id, patient_id, prescriber_id, prescriber_role, medication_name, rxcui, "
    "dose, route, frequency, indication, status, started_at, stopped_at, updated_at, "
    "ingredient, recognised"
)


def _to_prescription(row: asyncpg.Record) -> Prescription:
    values = dict(row)
    values["status"] = PrescriptionStatus(values["status"])
    return Prescription(**values)


async def ensure_patient(conn: Connection, patient_id: str) -> None:
    await conn.execute(
        "INSERT INTO patients (patient_id) VALUES ($1) ON CONFLICT DO NOTHING", patient_id
    )


async def patient_exists(conn: Connection, patient_id: str) -> bool:
    return bool(await conn.fetchval("SELECT true FROM patients WHERE patient_id = $1", patient_id))


async def get_for_update(conn: Connection, prescription_id: str) -> Prescription | None:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM prescriptions WHERE prescription_id = $1 FOR UPDATE",
        prescription_id,
    )
    return _to_prescription(row) if row else None


async def save(conn: Connection, p: Prescription) -> Prescription:
    """The row as stored (the API answers with it)."""
    row = await conn.fetchrow(
        f"""INSERT INTO prescriptions ({_COLUMNS})
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
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
                updated_at = excluded.updated_at,
                ingredient = excluded.ingredient,
                recognised = excluded.recognised
            RETURNING {_COLUMNS}""",
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
        p.ingredient,
        p.recognised,
    )
    assert row is not None
    return _to_prescription(row)


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
    row = (event_id, event_type, prescription_id, patient_id, prescriber_id, effective_at, data)
    memo = batch_memo.current()
    if memo is not None:  # written together, in order, when the batch's events are applied
        memo.changes.append(row)
        return
    await record_changes(conn, [row])


async def record_changes(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    await conn.executemany(
        """INSERT INTO prescription_changes (event_id, event_type, prescription_id,
               patient_id, prescriber_id, effective_at, data)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        rows,
    )


async def current_medications(
    conn: Connection, patient_id: str, *, stopped_since: datetime
) -> list[Prescription]:
    """Active prescriptions, and those stopped at or after `stopped_since` (washouts)."""
    rows = await conn.fetch(
        f"""SELECT {_COLUMNS} FROM prescriptions
            WHERE patient_id = $1 AND (status = 'active' OR stopped_at >= $2)
            ORDER BY status, ingredient, prescription_id""",
        patient_id,
        stopped_since,
    )
    return [_to_prescription(row) for row in rows]


async def get_prescription(
    conn: Connection, patient_id: str, prescription_id: str, *, for_update: bool = False
) -> Prescription | None:
    row = await conn.fetchrow(
        f"""SELECT {_COLUMNS} FROM prescriptions WHERE patient_id = $1 AND prescription_id = $2
            {"FOR UPDATE" if for_update else ""}""",
        patient_id,
        prescription_id,
    )
    return _to_prescription(row) if row else None


async def lock_patient(conn: Connection, patient_id: str) -> None:
    """Serialises every change of one patient's list (and its conflict evaluation); makes
    the patient's row first when there is none (one round trip when there is)."""
    memo = batch_memo.current()
    if memo is not None and patient_id in memo.locked:  # the batch locked it already
        return
    lock = "SELECT true FROM patients WHERE patient_id = $1 FOR UPDATE"
    if await conn.fetchval(lock, patient_id):
        return
    await ensure_patient(conn, patient_id)
    await conn.execute(lock, patient_id)


async def history(
    conn: Connection, patient_id: str, *, after_seq: int, limit: int
) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT seq, event_id, event_type, prescription_id, prescriber_id, effective_at,
                  data, applied_at
           FROM prescription_changes
           WHERE patient_id = $1 AND seq > $2 ORDER BY seq LIMIT $3""",
        patient_id,
        after_seq,
        limit,
    )


async def feed_for_clinician(
    conn: Connection, clinician_id: str, *, after_seq: int, limit: int
) -> list[asyncpg.Record]:
    """Changes other clinicians made to patients this clinician treats now."""
    return await conn.fetch(
        """SELECT c.seq, c.event_id, c.event_type, c.patient_id, c.prescription_id,
                  c.prescriber_id, c.effective_at, c.data, c.applied_at
           FROM prescription_changes c
           JOIN care_team_members m
             ON m.patient_id = c.patient_id AND m.clinician_id = $1 AND m.removed_at IS NULL
           WHERE c.prescriber_id <> $1 AND c.seq > $2
           ORDER BY c.seq LIMIT $3""",
        clinician_id,
        after_seq,
        limit,
    )
