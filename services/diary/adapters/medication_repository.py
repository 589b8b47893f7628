"""asyncpg access to the prescriptions projection (migration 0004)."""

import asyncpg

from services.diary.domain.prescriptions import ChangeKind, MedicationChange, Prescription
from shared.db import Connection
from shared.events.prescriptions import PrescriberRole


async def lock_prescription(conn: Connection, patient_id: str, prescription_id: str) -> None:
    """Serialise the events of one prescription until this transaction ends (its row may not
    exist yet, so a row lock cannot do it)."""
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
        f"diary.prescription:{patient_id}:{prescription_id}",
    )


async def save_prescription(conn: Connection, p: Prescription) -> None:
    await conn.execute(
        """INSERT INTO prescriptions (patient_id, prescription_id, medication_name, rxcui, dose,
               frequency, route, indication, prescriber_id, prescriber_role, status,
               last_effective_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
           ON CONFLICT (patient_id, prescription_id) DO UPDATE SET
               medication_name = excluded.medication_name, rxcui = excluded.rxcui,
               dose = excluded.dose, frequency = excluded.frequency, route = excluded.route,
               indication = excluded.indication, prescriber_id = excluded.prescriber_id,
               prescriber_role = excluded.prescriber_role, status = excluded.status,
               last_effective_at = excluded.last_effective_at, updated_at = now()""",
        p.patient_id,
        p.prescription_id,
        p.medication_name,
        p.rxcui,
        p.dose,
        p.frequency,
        p.route,
        p.indication,
        p.prescriber_id,
        p.prescriber_role.value,
        p.status.value,
        p.last_effective_at,
    )


async def insert_change(conn: Connection, c: MedicationChange) -> bool:
    """False when this event is stored already (nothing is written then)."""
    inserted = await conn.fetchval(
        """INSERT INTO medication_changes (event_id, patient_id, prescription_id, change,
               effective_at, prescriber_id, prescriber_role, medication_name, rxcui, dose,
               frequency, route, indication, reason)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
           ON CONFLICT (event_id) DO NOTHING
           RETURNING true""",
        c.event_id,
        c.patient_id,
        c.prescription_id,
        c.kind.value,
        c.effective_at,
        c.prescriber_id,
        c.prescriber_role.value,
        c.medication_name,
        c.rxcui,
        c.dose,
        c.frequency,
        c.route,
        c.indication,
        c.reason,
    )
    return bool(inserted)


_CHANGE_COLUMNS = """c.event_id, c.prescription_id, c.change, c.effective_at, c.prescriber_id,
    c.prescriber_role, c.rxcui, c.dose, c.frequency, c.route, c.indication, c.reason"""


def _change(patient_id: str, row: asyncpg.Record) -> MedicationChange:
    return MedicationChange(
        event_id=row["event_id"],
        patient_id=patient_id,
        prescription_id=row["prescription_id"],
        kind=ChangeKind(row["change"]),
        effective_at=row["effective_at"],
        prescriber_id=row["prescriber_id"],
        prescriber_role=PrescriberRole(row["prescriber_role"]),
        medication_name=row["medication_name"],
        rxcui=row["rxcui"],
        dose=row["dose"],
        frequency=row["frequency"],
        route=row["route"],
        indication=row["indication"],
        reason=row["reason"],
    )


async def changes_of_prescription(
    conn: Connection, patient_id: str, prescription_id: str
) -> list[MedicationChange]:
    """Exactly what each event said (a stop's name stays None)."""
    rows = await conn.fetch(
        f"""SELECT {_CHANGE_COLUMNS}, c.medication_name FROM medication_changes c
            WHERE c.patient_id = $1 AND c.prescription_id = $2""",
        patient_id,
        prescription_id,
    )
    return [_change(patient_id, row) for row in rows]


async def changes_for(conn: Connection, patient_id: str) -> list[MedicationChange]:
    """Every change of the patient, oldest first; a change that did not name its medication
    (a stop) takes the prescription's name, once any event of it has given one."""
    rows = await conn.fetch(
        f"""SELECT {_CHANGE_COLUMNS},
                   COALESCE(c.medication_name, p.medication_name) AS medication_name
            FROM medication_changes c
            LEFT JOIN prescriptions p USING (patient_id, prescription_id)
            WHERE c.patient_id = $1
            ORDER BY c.effective_at, c.event_id""",
        patient_id,
    )
    return [_change(patient_id, row) for row in rows]
