"""asyncpg access to conflicts, their acknowledgements and scheduled re-evaluations."""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from services.care_team import batch_memo
from services.care_team.domain.conflicts import OpenConflict
from services.care_team.domain.engine.model import (
    IntakeDays,
    Severity,
    WindowViolation,
)
from shared.db import Connection

_ROW = """conflict_id, patient_id, conflict_key, rule_id, kind, severity, medications,
          prescription_ids, prescribers, summary, recommendation, evidence, daily_doses,
          knowledge_version, status, flagged_at, last_flagged_at, lapses_at, resolved_at,
          resolution_reason, window_violation, window_violated_at, intake_days"""


def to_open(row: "asyncpg.Record | Mapping[str, Any]") -> OpenConflict:
    return OpenConflict(
        conflict_id=row["conflict_id"],
        key=row["conflict_key"],
        rule_id=row["rule_id"],
        severity=Severity(row["severity"]),
        medications=tuple(row["medications"]),
        prescription_ids=tuple(row["prescription_ids"]),
        prescribers=tuple(row["prescribers"]),
        daily_doses_mg=dict(row["daily_doses"]),
        lapses_at=row["lapses_at"],
        window_violated_at=row["window_violated_at"],
        intake_days=intake_days(row),
    )


def intake_days(row: "asyncpg.Record | Mapping[str, Any]") -> tuple[IntakeDays, ...]:
    return tuple(
        IntakeDays(
            d["medication"], d["days"], datetime.fromisoformat(d["last_taken_at"]), d["over_days"]
        )
        for d in row["intake_days"]
    )


def window_violation(row: asyncpg.Record) -> WindowViolation | None:
    found = row["window_violation"]
    if found is None:
        return None
    first_at = found["first_at"]
    return WindowViolation(
        first=found["first"],
        first_at=datetime.fromisoformat(first_at) if first_at else None,
        then=found["then"],
        then_at=datetime.fromisoformat(found["then_at"]),
        within=timedelta(hours=found["within_hours"]),
    )


async def open_conflicts(conn: Connection, patient_id: str) -> list[OpenConflict]:
    memo = batch_memo.current()
    if memo is not None and patient_id in memo.open_conflicts:  # the batch holds them
        return list(memo.open_conflicts[patient_id].values())
    rows = await conn.fetch(
        f"SELECT {_ROW} FROM conflicts WHERE patient_id = $1 AND status = 'open'", patient_id
    )
    return [to_open(row) for row in rows]


async def list_for_patient(
    conn: Connection, patient_id: str, *, status: str | None
) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"""SELECT {_ROW} FROM conflicts
            WHERE patient_id = $1 AND ($2::text IS NULL OR status = $2)
            ORDER BY status, flagged_at DESC""",
        patient_id,
        status,
    )


async def get_for_update(
    conn: Connection, patient_id: str, conflict_id: UUID
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {_ROW} FROM conflicts WHERE patient_id = $1 AND conflict_id = $2 FOR UPDATE",
        patient_id,
        conflict_id,
    )


async def acknowledgements(
    conn: Connection, conflict_ids: list[UUID]
) -> dict[UUID, list[asyncpg.Record]]:
    rows = await conn.fetch(
        """SELECT conflict_id, clinician_id, reason, note, acknowledged_at
           FROM conflict_acknowledgements WHERE conflict_id = any($1::uuid[])
           ORDER BY acknowledged_at, id""",
        conflict_ids,
    )
    by_conflict: dict[UUID, list[asyncpg.Record]] = {}
    for row in rows:
        by_conflict.setdefault(row["conflict_id"], []).append(row)
    return by_conflict


async def add_acknowledgement(
    conn: Connection,
    conflict_id: UUID,
    *,
    clinician_id: str,
    reason: str,
    note: str | None,
    now: datetime,
) -> None:
    await conn.execute(
        """INSERT INTO conflict_acknowledgements
               (conflict_id, clinician_id, reason, note, acknowledged_at)
           VALUES ($1, $2, $3, $4, $5)""",
        conflict_id,
        clinician_id,
        reason,
        note,
        now,
    )


async def due_reevaluations(pool: asyncpg.Pool, now: datetime, limit: int) -> list[str]:
    rows = await pool.fetch(
        "SELECT patient_id FROM reevaluations WHERE due_at <= $1 ORDER BY due_at LIMIT $2",
        now,
        limit,
    )
    return [row["patient_id"] for row in rows]


async def still_due(conn: Connection, patient_id: str, now: datetime) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT true FROM reevaluations WHERE patient_id = $1 AND due_at <= $2",
            patient_id,
            now,
        )
    )


async def knowledge_version(conn: Connection) -> str | None:
    version: str | None = await conn.fetchval("SELECT version FROM knowledge_state")
    return version


async def record_knowledge_version(conn: Connection, version: str, now: datetime) -> int:
    """Store the version; when it changed, schedule every patient with medications."""
    previous = await knowledge_version(conn)
    if previous == version:
        return 0
    await conn.execute(
        """INSERT INTO knowledge_state (singleton, version) VALUES (true, $1)
           ON CONFLICT (singleton) DO UPDATE SET version = excluded.version""",
        version,
    )
    if previous is None:
        return 0
    result: str = await conn.execute(
        """INSERT INTO reevaluations (patient_id, due_at)
           SELECT DISTINCT patient_id, $1::timestamptz FROM prescriptions
           ON CONFLICT (patient_id) DO UPDATE SET due_at = excluded.due_at""",
        now,
    )
    return int(result.rsplit(maxsplit=1)[-1])
