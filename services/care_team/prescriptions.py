"""Use cases: apply a `prescription.*` event (an EHR's from Kafka, or one of ours made
over HTTP) to the medication list, then re-evaluate the patient's conflicts."""

import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter

from services.care_team import batch_memo, notification_routing
from services.care_team.adapters import conflict_writes, team_repository
from services.care_team.adapters import prescription_repository as repository
from services.care_team.batch_prefetch import lock_and_read
from services.care_team.context import SOURCE, CareTeamContext
from services.care_team.domain.conflicts import ConflictDiff
from services.care_team.domain.prescriptions import Prescription, PrescriptionStatus, apply_event
from services.care_team.evaluation import reevaluate
from services.care_team.notification_batch import write_notifications
from services.care_team.team import add_member
from shared import outbox
from shared.db import Connection
from shared.events.care_team import TeamRole
from shared.events.envelope import decode_json_body, new_patient_event
from shared.events.prescriptions import (
    Medication,
    Prescriber,
    PrescriberRole,
    PrescriptionChanged,
    PrescriptionData,
    PrescriptionEvent,
    PrescriptionStarted,
    PrescriptionStopped,
    PrescriptionStoppedData,
)
from shared.inbox import claim_applied_at_source

PRESCRIPTIONS_CONSUMER = "care_team.prescriptions"

AnyPrescriptionEvent = PrescriptionStarted | PrescriptionChanged | PrescriptionStopped


class PrescriptionNotActive(Exception):
    pass


class PrescriptionExists(Exception):
    pass


@dataclass(frozen=True)
class AppliedChange:
    prescription: Prescription  # as stored
    diff: ConflictDiff


_EVENTS = TypeAdapter[AnyPrescriptionEvent](PrescriptionEvent)


def decode_prescription_event(value: bytes) -> AnyPrescriptionEvent:
    """A record's bytes as a validated event (malformed or invalid ones raise: poison)."""
    return _EVENTS.validate_python(decode_json_body(value))


async def apply_prescription_events(
    conn: Connection, ctx: CareTeamContext, events: Sequence[AnyPrescriptionEvent]
) -> None:
    """Fresh events from Kafka, in order, in the caller's (the batch's) transaction."""
    patients = [e.data.patient_id for e in events]
    async with changes_of(conn, ctx, patients, [e.data.prescription_id for e in events]):
        for event in events:
            await apply_prescription_event(conn, ctx, event)


@contextlib.asynccontextmanager
async def changes_of(
    conn: Connection,
    ctx: CareTeamContext,
    patient_ids: Sequence[str],
    prescription_ids: Sequence[str] = (),
) -> AsyncIterator[None]:
    """The changes of these patients' lists made in the block, in the caller's transaction:
    a Kafka batch's, or one HTTP command's (a batch of one). The patients are locked and read
    first, with the prescriptions the block names; prescriptions, change records, conflicts,
    re-evaluation schedules, notifications and outbox rows are written together when the
    block ends without error (batch_memo says what is kept)."""
    with batch_memo.remembering() as memo:
        async with outbox.staged(conn):
            # The earliest look-backs any change of the block needs (the clock moves on).
            now = ctx.clock()
            await lock_and_read(
                conn,
                memo,
                patient_ids,
                prescription_ids,
                doses_since=now - ctx.engine.intake_lookback,
                stopped_since=now - ctx.engine.max_washout,
            )
            yield
            await claim_applied_at_source(conn, PRESCRIPTIONS_CONSUMER, memo.applied_at_source)
            await team_repository.add_members(conn, memo.members_added)
            await repository.save_many(conn, memo.saved.values())
            await repository.record_changes(conn, memo.changes)
            await conflict_writes.write_batch(conn, memo.conflict_writes)
            await conflict_writes.schedule_reevaluations(conn, memo.reevaluations)
            await write_notifications(conn, ctx, memo.notifications)


async def apply_prescription_event(
    conn: Connection, ctx: CareTeamContext, event: AnyPrescriptionEvent
) -> AppliedChange:
    await _know_prescriber(conn, ctx, event)
    current = await repository.get_for_update(conn, event.data.prescription_id)
    return await _apply_to(conn, ctx, event, current)


async def _know_prescriber(
    conn: Connection, ctx: CareTeamContext, event: AnyPrescriptionEvent
) -> None:
    data = event.data
    await repository.lock_patient(conn, data.patient_id)
    if data.prescriber.role is not PrescriberRole.SELF_REPORTED:
        # The prescribers an EHR names are known (and on the team) from then on.
        await add_member(
            conn,
            ctx,
            data.patient_id,
            data.prescriber.id,
            TeamRole(data.prescriber.role.value),
            changed_by=data.prescriber.id,
            source="prescription",
            patient_locked=True,
        )


async def _apply_to(
    conn: Connection,
    ctx: CareTeamContext,
    event: AnyPrescriptionEvent,
    current: Prescription | None,
) -> AppliedChange:
    """`current`: the prescription's row, read locked, with the patient locked."""
    data = event.data
    updated = apply_event(current, event)
    if updated.medication_name is not None:
        drug = ctx.engine.resolve(updated.medication_name, updated.rxcui)
        updated = replace(updated, ingredient=drug.ingredient, recognised=drug.recognised)
    stored = await repository.save(conn, updated)
    await repository.record_change(
        conn,
        event_id=event.id,
        event_type=event.type,
        prescription_id=data.prescription_id,
        patient_id=data.patient_id,
        prescriber_id=data.prescriber.id,
        effective_at=data.effective_at,
        data=data.model_dump(mode="json"),
    )
    await notification_routing.on_prescription(conn, ctx, event)
    # Our API answers the change with its conflicts; an EHR's prescriber saw nothing of ours.
    diff = await reevaluate(
        conn,
        ctx,
        data.patient_id,
        changed_by=data.prescriber.id,
        shown_to_changer=event.source == SOURCE,
    )
    return AppliedChange(stored, diff)


async def _apply_and_publish(
    conn: Connection,
    ctx: CareTeamContext,
    event: AnyPrescriptionEvent,
    current: Prescription | None,
) -> AppliedChange:
    """Apply here and now (the prescriber reads their own write), publish through the
    outbox, and mark the event processed so the consumer skips it when it comes back.
    `current` was read locked by the caller, with the patient locked (changes_of)."""
    memo = batch_memo.current()
    if memo is None:
        raise RuntimeError("an HTTP command runs inside prescriptions.changes_of")
    memo.applied_at_source.append(event.id)
    await _know_prescriber(conn, ctx, event)
    applied = await _apply_to(conn, ctx, event, current)
    await outbox.enqueue(conn, event, topic=ctx.prescriptions_topic, key=event.data.patient_id)
    return applied


async def start_prescription(
    conn: Connection,
    ctx: CareTeamContext,
    *,
    patient_id: str,
    prescription_id: str,
    prescriber: Prescriber,
    medication: Medication,
    details: dict[str, Any],
    effective_at: datetime,
) -> AppliedChange:
    data = PrescriptionData(
        prescription_id=prescription_id,
        patient_id=patient_id,
        prescriber=prescriber,
        medication=medication,
        effective_at=effective_at,
        **details,
    )
    if await repository.get_for_update(conn, prescription_id) is not None:
        raise PrescriptionExists()
    event = new_patient_event(PrescriptionStarted, source=SOURCE, patient_id=patient_id, data=data)
    return await _apply_and_publish(conn, ctx, event, None)


async def change_prescription(
    conn: Connection,
    ctx: CareTeamContext,
    current: Prescription,
    *,
    prescriber: Prescriber,
    changes: dict[str, Any],
    effective_at: datetime,
) -> AppliedChange:
    if current.status is not PrescriptionStatus.ACTIVE or current.medication_name is None:
        raise PrescriptionNotActive()
    state: dict[str, Any] = {
        "dose": current.dose,
        "route": current.route,
        "frequency": current.frequency,
        "indication": current.indication,
    }
    state.update(changes)
    data = PrescriptionData(
        prescription_id=current.prescription_id,
        patient_id=current.patient_id,
        prescriber=prescriber,
        medication=Medication(name=current.medication_name, rxcui=current.rxcui),
        effective_at=effective_at,
        **state,
    )
    event = new_patient_event(
        PrescriptionChanged, source=SOURCE, patient_id=current.patient_id, data=data
    )
    return await _apply_and_publish(conn, ctx, event, current)


async def stop_prescription(
    conn: Connection,
    ctx: CareTeamContext,
    current: Prescription,
    *,
    prescriber: Prescriber,
    reason: str | None,
    effective_at: datetime,
) -> AppliedChange:
    if current.status is not PrescriptionStatus.ACTIVE:
        raise PrescriptionNotActive()
    data = PrescriptionStoppedData(
        prescription_id=current.prescription_id,
        patient_id=current.patient_id,
        prescriber=prescriber,
        effective_at=effective_at,
        reason=reason,
    )
    event = new_patient_event(
        PrescriptionStopped, source=SOURCE, patient_id=current.patient_id, data=data
    )
    return await _apply_and_publish(conn, ctx, event, current)
