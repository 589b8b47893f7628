"""Writing conflicts and re-evaluation schedules. Inside a batch whose patients are locked
(batch_memo), a patient's open conflicts live in the memo and the statements are run for
the whole batch at its end (write_batch); otherwise each runs at once."""

from datetime import datetime
from uuid import UUID

from services.care_team import batch_memo
from services.care_team.domain.conflicts import OpenConflict
from services.care_team.domain.engine.model import Finding, WindowViolation
from shared.db import Connection

_INSERT = """INSERT INTO conflicts (conflict_id, patient_id, conflict_key, rule_id, kind,
               severity, medications, prescription_ids, prescribers, summary, recommendation,
               evidence, daily_doses, lapses_at, window_violation, window_violated_at,
               intake_days, knowledge_version, status, flagged_at, last_flagged_at,
               resolved_at, resolution_reason)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                     $17, $18, $19, $20, $21, $22, $23)"""
_UPDATE = """UPDATE conflicts SET severity = $2, medications = $3, prescription_ids = $4,
               prescribers = $5, summary = $6, recommendation = $7, evidence = $8,
               daily_doses = $9, lapses_at = $10, window_violation = $11,
               window_violated_at = $12, intake_days = $13, knowledge_version = $14,
               last_flagged_at = coalesce($15, last_flagged_at)
             WHERE conflict_id = $1"""
# Positions in an insert's row (a list, so a batch can bring it up to date).
_FINDING = slice(5, 17)
_VERSION, _STATUS, _LAST_FLAGGED = 17, 18, 20
_RESOLVE = """UPDATE conflicts SET status = 'resolved', resolved_at = $2, resolution_reason = $3
              WHERE conflict_id = $1"""


def as_open(conflict_id: UUID, finding: Finding) -> OpenConflict:
    """The open conflict a stored finding reads back as (conflict_repository.to_open)."""
    return OpenConflict(
        conflict_id=conflict_id,
        key=finding.key,
        rule_id=finding.rule_id,
        severity=finding.severity,
        medications=tuple(finding.medications),
        prescription_ids=tuple(finding.prescription_ids),
        prescribers=tuple(finding.prescribers),
        daily_doses_mg=dict(finding.daily_doses_mg),
        lapses_at=finding.lapses_at,
        window_violated_at=finding.violation.then_at if finding.violation else None,
        intake_days=tuple(finding.intake_days),
    )


async def insert_open(
    conn: Connection,
    patient_id: str,
    flagged: list[tuple[UUID, Finding]],
    *,
    knowledge_version: str,
    now: datetime,
) -> None:
    rows = [
        [
            conflict_id, patient_id, finding.key, finding.rule_id, finding.kind.value,
            *_finding_values(finding), knowledge_version, "open", now, now, None, None,
        ]
        for conflict_id, finding in flagged
    ]  # fmt: skip
    held = _held(patient_id)
    if held is None:
        await conn.executemany(_INSERT, rows)
        return
    for (conflict_id, finding), row in zip(flagged, rows, strict=True):
        held[conflict_id] = as_open(conflict_id, finding)
        _writes().inserts[conflict_id] = row


async def update_open(
    conn: Connection,
    patient_id: str,
    conflict_id: UUID,
    finding: Finding,
    *,
    knowledge_version: str,
    reflagged_at: datetime | None,
) -> None:
    held = _held(patient_id)
    if held is not None:
        held[conflict_id] = as_open(conflict_id, finding)
        inserted = _writes().inserts.get(conflict_id)
        if inserted is not None:  # flagged by this batch: insert its latest state instead
            inserted[_FINDING] = _finding_values(finding)
            inserted[_VERSION] = knowledge_version
            inserted[_LAST_FLAGGED] = reflagged_at or inserted[_LAST_FLAGGED]
            return
    row = (conflict_id, *_finding_values(finding), knowledge_version, reflagged_at)
    if held is None:
        await conn.execute(_UPDATE, *row)
        return
    _writes().updates.append(row)


async def resolve(
    conn: Connection, patient_id: str, conflict_id: UUID, *, reason: str, now: datetime
) -> None:
    held = _held(patient_id)
    if held is None:
        await conn.execute(_RESOLVE, conflict_id, now, reason)
        return
    held.pop(conflict_id, None)
    inserted = _writes().inserts.get(conflict_id)
    if inserted is not None:  # flagged and resolved by this batch
        inserted[_STATUS:] = ["resolved", inserted[_STATUS + 1], inserted[_LAST_FLAGGED], now,
                              reason]  # fmt: skip
        return
    _writes().resolutions.append((conflict_id, now, reason))


async def write_batch(conn: Connection, writes: batch_memo.ConflictWrites) -> None:
    """A batch's conflict statements, one round trip per kind. Updates and resolutions touch
    only conflicts open before the batch, so they go first: a conflict resolved and then
    flagged again (the same key) must not be open twice, even for a moment."""
    for sql, rows in (
        (_UPDATE, writes.updates),
        (_RESOLVE, writes.resolutions),
        (_INSERT, [tuple(row) for row in writes.inserts.values()]),
    ):
        if rows:
            await conn.executemany(sql, rows)


def _held(patient_id: str) -> dict[UUID, OpenConflict] | None:
    """The patient's open conflicts the batch holds; None outside a batch or for a patient
    it did not read."""
    memo = batch_memo.current()
    return memo.open_conflicts.get(patient_id) if memo is not None else None


def _writes() -> batch_memo.ConflictWrites:
    memo = batch_memo.current()
    assert memo is not None
    return memo.conflict_writes


def _finding_values(finding: Finding) -> tuple[object, ...]:
    return (
        finding.severity.value,
        list(finding.medications),
        list(finding.prescription_ids),
        list(finding.prescribers),
        finding.summary,
        finding.recommendation,
        [{"source": e.source, "url": e.url} for e in finding.evidence],
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
