"""Use case: evaluate a patient's list and move the conflicts on, in the caller's transaction.

Runs after every change of the list or profile (and when a washout ends), with
the patient locked, so evaluations of one patient never interleave.
"""

from datetime import datetime
from uuid import UUID, uuid4

import asyncpg

from services.care_team import batch_memo, notification_routing
from services.care_team.adapters import conflict_repository as conflicts
from services.care_team.adapters import conflict_writes
from services.care_team.adapters import intake_repository as intakes
from services.care_team.adapters import prescription_repository as prescriptions
from services.care_team.adapters import team_repository as team
from services.care_team.context import SOURCE, CareTeamContext
from services.care_team.domain.conflicts import ConflictDiff, OpenConflict, diff_conflicts
from services.care_team.domain.engine.model import Finding, MedicationEntry, WindowViolation
from services.care_team.domain.prescriptions import Prescription, PrescriptionStatus
from shared import outbox
from shared.db import Connection
from shared.events.care_team import (
    ConflictFlagged,
    ConflictFlaggedData,
    ConflictResolved,
    ConflictResolvedData,
    EvidenceRef,
    IntakeDaysRef,
    WindowViolationRef,
)
from shared.events.envelope import new_patient_event


def medication_entry(p: Prescription) -> MedicationEntry | None:
    if p.medication_name is None:  # a stop for a prescription never seen: nothing to evaluate
        return None
    return MedicationEntry(
        prescription_id=p.prescription_id,
        name=p.medication_name,
        rxcui=p.rxcui,
        dose=p.dose,
        frequency=p.frequency,
        route=p.route,
        indication=p.indication,
        prescriber_id=p.prescriber_id,
        prescriber_role=p.prescriber_role,
        active=p.status is PrescriptionStatus.ACTIVE,
        started_at=p.started_at,
        stopped_at=p.stopped_at,
    )


async def current_entries(
    conn: Connection, ctx: CareTeamContext, patient_id: str
) -> list[MedicationEntry]:
    since = ctx.clock() - ctx.engine.max_washout
    listed = await prescriptions.current_medications(conn, patient_id, stopped_since=since)
    return [e for p in listed if (e := medication_entry(p)) is not None]


def _unchanged(conflict: OpenConflict, finding: Finding) -> bool:
    return (
        conflict.severity == finding.severity
        and conflict.prescription_ids == finding.prescription_ids
        and conflict.prescribers == finding.prescribers
        and conflict.lapses_at == finding.lapses_at
        and dict(conflict.daily_doses_mg) == dict(finding.daily_doses_mg)
        and conflict.intake_days == finding.intake_days
        and conflict.window_violated_at == _violated_at(finding)
    )


def _violated_at(finding: Finding) -> datetime | None:
    return finding.violation.then_at if finding.violation is not None else None


async def reevaluate(
    conn: Connection,
    ctx: CareTeamContext,
    patient_id: str,
    *,
    changed_by: str | None,
    shown_to_changer: bool = False,
) -> ConflictDiff:
    now = ctx.clock()
    entries = await current_entries(conn, ctx, patient_id)
    since = now - ctx.engine.intake_lookback
    memo = batch_memo.current()
    if memo is not None and patient_id in memo.profiles:  # read when the batch locked it
        profile = memo.profiles[patient_id]
        doses = [d for d in memo.doses[patient_id] if d.taken_at >= since]
    else:
        profile = await team.profile(conn, patient_id)
        doses = await intakes.doses_since(conn, patient_id, since)
    findings = ctx.engine.evaluate(entries, profile, now, doses)
    diff = diff_conflicts(
        await conflicts.open_conflicts(conn, patient_id),
        findings,
        stopped_prescription_ids={e.prescription_id for e in entries if not e.active},
        now=now,
    )
    version = ctx.engine.version
    flagged = [(uuid4(), finding) for finding in diff.flagged]
    if flagged:
        await conflict_writes.insert_open(
            conn, patient_id, flagged, knowledge_version=version, now=now
        )
    for conflict_id, finding in flagged:
        await _publish_flagged(
            conn, ctx, patient_id, conflict_id, finding, (changed_by, shown_to_changer), None
        )
    for reflag in diff.reflagged:
        await conflict_writes.update_open(
            conn,
            patient_id,
            reflag.conflict.conflict_id,
            reflag.finding,
            knowledge_version=version,
            reflagged_at=now,
        )
        await _publish_flagged(
            conn,
            ctx,
            patient_id,
            reflag.conflict.conflict_id,
            reflag.finding,
            (changed_by, shown_to_changer),
            reflag.reason,
        )
    for conflict, finding in diff.refreshed:
        if not _unchanged(conflict, finding):
            await conflict_writes.update_open(
                conn,
                patient_id,
                conflict.conflict_id,
                finding,
                knowledge_version=version,
                reflagged_at=None,
            )
    for resolution in diff.resolved:
        c = resolution.conflict
        await conflict_writes.resolve(
            conn, patient_id, c.conflict_id, reason=resolution.reason.value, now=now
        )
        data = ConflictResolvedData(
            conflict_id=c.conflict_id,
            patient_id=patient_id,
            rule_id=c.rule_id,
            severity=c.severity.value,
            medications=list(c.medications),
            prescribers=list(c.prescribers),
            reason=resolution.reason,
            resolved_at=now,
        )
        event = new_patient_event(ConflictResolved, source=SOURCE, patient_id=patient_id, data=data)
        await outbox.enqueue(conn, event, topic=ctx.care_team_topic, key=patient_id)
        await notification_routing.on_conflict_resolved(conn, ctx, event)
    next_lapse = min((f.lapses_at for f in findings if f.lapses_at is not None), default=None)
    await conflict_writes.schedule_reevaluation(conn, patient_id, next_lapse)
    return diff


async def _publish_flagged(
    conn: Connection,
    ctx: CareTeamContext,
    patient_id: str,
    conflict_id: UUID,
    finding: Finding,
    changer: tuple[str | None, bool],
    reflag_reason: str | None,
) -> None:
    changed_by, shown_to_changer = changer
    data = ConflictFlaggedData(
        conflict_id=conflict_id,
        patient_id=patient_id,
        kind=finding.kind.value,
        severity=finding.severity.value,
        medications=list(finding.medications),
        prescription_ids=list(finding.prescription_ids),
        prescribers=list(finding.prescribers),
        summary=finding.summary,
        recommendation=finding.recommendation,
        evidence=[EvidenceRef(source=e.source, url=e.url) for e in finding.evidence],
        rule_id=finding.rule_id,
        knowledge_version=ctx.engine.version,
        interruptive=finding.severity.interruptive,
        changed_by=changed_by,
        shown_to_changer=shown_to_changer and changed_by is not None,
        reflagged=reflag_reason is not None,
        reflag_reason=reflag_reason,
        lapses_at=finding.lapses_at,
        window_violation=_violation_ref(finding.violation),
        intake_days=[
            IntakeDaysRef(
                medication=d.ingredient,
                days=d.days,
                over_days=d.over_days,
                last_taken_at=d.last_taken_at,
            )
            for d in finding.intake_days
        ],
        flagged_at=ctx.clock(),
    )
    event = new_patient_event(ConflictFlagged, source=SOURCE, patient_id=patient_id, data=data)
    await outbox.enqueue(conn, event, topic=ctx.care_team_topic, key=patient_id)
    await notification_routing.on_conflict_flagged(conn, ctx, event)


async def reevaluate_due(pool: asyncpg.Pool, ctx: CareTeamContext, *, limit: int = 100) -> int:
    """Re-evaluate patients whose washouts have ended; returns how many were done.

    Each patient in its own transaction, taking the patient lock first (as every
    other change does, so the two never deadlock) and checking it is still due.
    """
    now = ctx.clock()
    done = 0
    for patient_id in await conflicts.due_reevaluations(pool, now, limit):
        async with pool.acquire() as conn, conn.transaction():
            await prescriptions.lock_patient(conn, patient_id)
            if await conflicts.still_due(conn, patient_id, now):
                await reevaluate(conn, ctx, patient_id, changed_by=None)
                done += 1
    return done


def _violation_ref(violation: WindowViolation | None) -> WindowViolationRef | None:
    if violation is None:
        return None
    return WindowViolationRef(
        first=violation.first,
        first_at=violation.first_at,
        then=violation.then,
        then_at=violation.then_at,
        within_hours=violation.within.total_seconds() / 3600,
    )
