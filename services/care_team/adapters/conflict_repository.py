"""asyncpg access to conflicts, their acknowledgements and scheduled re-evaluations."""

from dataclasses import asdict
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg

from services.care_team import batch_memo
from services.care_team.domain.conflicts import OpenConflict
from services.care_team.domain.engine.model import (
    Finding,
    IntakeDays,
    Severity,
    WindowViolation,
)
from shared.db import Connection

_ROW = """conflict_id, patient_id, conflict_key, rule_id, kind, severity, medications,
          prescription_ids, prescribers, summary, recommendation, evidence, daily_doses,
          knowledge_version, status, flagged_at, last_flagged_at, lapses_at, resolved_at,
          resolution_reason, window_violation, window_violated_at, intake_days"""


def _to_open(row: asyncpg.Record) -> OpenConflict:
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


def intake_days(row: asyncpg.Record) -> tuple[IntakeDays, ...]:
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
    rows = await conn.fetch(
        f"SELECT {_ROW} FROM conflicts WHERE patient_id = $1 AND status = 'open'", patient_id
    )
    return [_to_open(row) for row in rows]


def _finding_values(finding: Finding) -> tuple[object, ...]:
    return (
        finding.severity.value,
        list(finding.medications),
        list(finding.prescription_ids),
        list(finding.prescribers),
        finding.summary,
        finding.recommendation,
        [asdict(e) for e in finding.evidence],
        dict(finding.daily_doses_mg),
        finding.lapses_at,
        _violation_json(finding.violation),
        finding.violation.then_at if finding.violation is not None else None,
        [
            {
                "medication": d.ingredient,
                "days": d.days,
                "over_days": d.over_days,
                "last_taken_at": d.last_taken_at.isoformat(),
            }
            for d in finding.intake_days
        ],
    )


def _violation_json(violation: WindowViolation | None) -> dict[str, object] | None:
    if violation is None:
        return None
    return {
        "first": violation.first,
        "first_at": violation.first_at.isoformat() if violation.first_at else None,
        "then": violation.then,
        "then_at": violation.then_at.isoformat(),
        "within_hours": violation.within.total_seconds() / 3600,
    }


async def insert_open(
    conn: Connection,
    patient_id: str,
    flagged: list[tuple[UUID, Finding]],
    *,
    knowledge_version: str,
    now: datetime,
) -> None:
    """The conflicts one evaluation flagged, in one round trip."""
    await conn.executemany(
        """INSERT INTO conflicts (conflict_id, patient_id, conflict_key, rule_id, kind,
               severity, medications, prescription_ids, prescribers, summary, recommendation,
               evidence, daily_doses, lapses_at, window_violation, window_violated_at,
               intake_days, knowledge_version, status, flagged_at, last_flagged_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                   $18, 'open', $19, $19)""",
        [
            (
                conflict_id, patient_id, finding.key, finding.rule_id, finding.kind.value,
                *_finding_values(finding), knowledge_version, now,
            )
            for conflict_id, finding in flagged
        ],
    )  # fmt: skip


async def update_open(
    conn: Connection,
    conflict_id: UUID,
    finding: Finding,
    *,
    knowledge_version: str,
    reflagged_at: datetime | None,
) -> None:
    await conn.execute(
        """UPDATE conflicts SET severity = $2, medications = $3, prescription_ids = $4,
               prescribers = $5, summary = $6, recommendation = $7, evidence = $8,
               daily_doses = $9, lapses_at = $10, window_violation = $11,
               window_violated_at = $12, intake_days = $13, knowledge_version = $14,
               last_flagged_at = coalesce($15, last_flagged_at)
           WHERE conflict_id = $1""",
        conflict_id,
        *_finding_values(finding),
        knowledge_version,
        reflagged_at,
    )


async def resolve(conn: Connection, conflict_id: UUID, *, reason: str, now: datetime) -> None:
    await conn.execute(
        """UPDATE conflicts SET status = 'resolved', resolved_at = $2, resolution_reason = $3
           WHERE conflict_id = $1""",
        conflict_id,
        now,
        reason,
    )


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


async def schedule_reevaluation(conn: Connection, patient_id: str, due_at: datetime | None) -> None:
    memo = batch_memo.current()
    if memo is not None:  # written once per patient when the batch's events are applied
        memo.reevaluations[patient_id] = due_at
        return
    if due_at is None:
        await conn.execute("DELETE FROM reevaluations WHERE patient_id = $1", patient_id)
        return
    await conn.execute(
        """INSERT INTO reevaluations (patient_id, due_at) VALUES ($1, $2)
           ON CONFLICT (patient_id) DO UPDATE SET due_at = excluded.due_at""",
        patient_id,
        due_at,
    )


async def schedule_reevaluations(conn: Connection, due: dict[str, datetime | None]) -> None:
    """schedule_reevaluation for many patients: a statement for those with nothing due, one
    for the others (none when there are no such patients: one change needs one of the two)."""
    nothing_due = [p for p, at in due.items() if at is None]
    if nothing_due:
        await conn.execute(
            "DELETE FROM reevaluations WHERE patient_id = any($1::text[])", nothing_due
        )
    if len(nothing_due) < len(due):
        await conn.execute(
            """INSERT INTO reevaluations (patient_id, due_at)
               SELECT * FROM unnest($1::text[], $2::timestamptz[])
               ON CONFLICT (patient_id) DO UPDATE SET due_at = excluded.due_at""",
            [p for p, at in due.items() if at is not None],
            [at for at in due.values() if at is not None],
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
