"""asyncpg access to the care_team schema. Every function runs on the caller's connection."""

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import asyncpg

from services.care_team import batch_memo
from services.care_team.domain.prescriptions import Prescription, PrescriptionStatus
from shared.db import Connection

COLUMNS = (
    "prescription_id", "patient_id", "prescriber_id", "prescriber_role", "medication_name",
    "rxcui", "dose", "route", "frequency", "indication", "status", "started_at", "stopped_at",
    "updated_at", "ingredient", "recognised",
)  # fmt: skip
_COLUMNS = ", ".join(COLUMNS)


def to_prescription(row: "asyncpg.Record | Mapping[str, Any]") -> Prescription:
    values = dict(row)
    values["status"] = PrescriptionStatus(values["status"])
    return Prescription(**values)


async def ensure_patient(conn: Connection, patient_id: str) -> None:
    await conn.execute(
        "INSERT INTO patients (patient_id) VALUES ($1) ON CONFLICT DO NOTHING", patient_id
    )


async def patient_exists(conn: Connection, patient_id: str) -> bool:
    return bool(await conn.fetchval("SELECT true FROM patients WHERE patient_id = $1", patient_id))


def _as_stored(p: Prescription) -> Prescription:
    """What reading the row back gives: times in UTC (as asyncpg returns timestamptz)."""
    return replace(
        p,
        started_at=p.started_at.astimezone(UTC) if p.started_at else None,
        stopped_at=p.stopped_at.astimezone(UTC) if p.stopped_at else None,
        updated_at=p.updated_at.astimezone(UTC),
    )


async def get_for_update(conn: Connection, prescription_id: str) -> Prescription | None:
    memo = batch_memo.current()
    if memo is not None and prescription_id in memo.named:  # its patient is locked
        return memo.named[prescription_id]
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM prescriptions WHERE prescription_id = $1 FOR UPDATE",
        prescription_id,
    )
    return to_prescription(row) if row else None


_UPSERT = f"""INSERT INTO prescriptions ({_COLUMNS})
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
                $12::timestamptz[], $13::timestamptz[], $14::timestamptz[], $15::text[],
                $16::bool[])
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
                recognised = excluded.recognised"""


async def save(conn: Connection, p: Prescription) -> Prescription:
    """The row as stored (the API answers with it). In a batch whose patients are locked,
    written with the batch's other rows at its end (save_many)."""
    stored = _as_stored(p)
    memo = batch_memo.current()
    if memo is not None:
        memo.named[p.prescription_id] = stored
        listed = memo.lists.get(p.patient_id)
        if listed is not None:
            listed[p.prescription_id] = stored
            memo.saved[p.prescription_id] = stored
            return stored
    await save_many(conn, [stored])
    return stored


async def save_many(conn: Connection, rows: Iterable[Prescription]) -> None:
    """Insert or update the rows (each prescription at most once) in one statement."""
    rows = list(rows)
    if rows:
        # A column's values as one array (status is a StrEnum: a str to asyncpg).
        await conn.execute(_UPSERT, *([getattr(p, c) for p in rows] for c in COLUMNS))


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
    memo = batch_memo.current()
    if memo is not None and patient_id in memo.lists:  # read when the batch locked it
        return sorted(
            (
                p
                for p in memo.lists[patient_id].values()
                if p.status is PrescriptionStatus.ACTIVE
                or (p.stopped_at is not None and p.stopped_at >= stopped_since)
            ),
            key=_listing_order,
        )
    rows = await conn.fetch(
        f"""SELECT {_COLUMNS} FROM prescriptions
            WHERE patient_id = $1 AND (status = 'active' OR stopped_at >= $2)
            ORDER BY status, ingredient, prescription_id""",
        patient_id,
        stopped_since,
    )
    return [to_prescription(row) for row in rows]


def _listing_order(p: Prescription) -> tuple[str, bool, str, str]:
    # ORDER BY status, ingredient, prescription_id (NULLs last, byte order as in our C locale)
    return (p.status.value, p.ingredient is None, p.ingredient or "", p.prescription_id)


async def get_prescription(
    conn: Connection, patient_id: str, prescription_id: str, *, for_update: bool = False
) -> Prescription | None:
    memo = batch_memo.current()
    if memo is not None and prescription_id in memo.named:  # its patient's rows are locked
        found = memo.named[prescription_id]
        return found if found is not None and found.patient_id == patient_id else None
    row = await conn.fetchrow(
        f"""SELECT {_COLUMNS} FROM prescriptions WHERE patient_id = $1 AND prescription_id = $2
            {"FOR UPDATE" if for_update else ""}""",
        patient_id,
        prescription_id,
    )
    return to_prescription(row) if row else None


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
