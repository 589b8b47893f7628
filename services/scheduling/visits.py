"""Use cases: book, propose, confirm, reschedule, cancel, complete, no-show. Each change and
its `visit.*` event commit in one transaction (the outbox); the database's exclusion
constraint, not a check here, refuses double bookings."""

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from services.scheduling.adapters import repository
from services.scheduling.adapters.repository import StoredVisit
from services.scheduling.context import SOURCE, SchedulingContext
from services.scheduling.domain.visits import (
    Transition,
    VisitIdTaken,
    VisitRequest,
    next_status,
)
from shared import outbox
from shared.db import Connection
from shared.events.envelope import CloudEvent, new_patient_event
from shared.events.visits import (
    VisitBooked,
    VisitCancelled,
    VisitCancelledData,
    VisitCompleted,
    VisitCompletedData,
    VisitData,
    VisitNoShow,
    VisitRescheduled,
    VisitRescheduledData,
    VisitStatus,
)

EventType = type[CloudEvent[Any]]


class VisitNotFound(Exception):
    pass


async def announce(
    conn: Connection,
    ctx: SchedulingContext,
    event_type: EventType,
    data: BaseModel,
) -> None:
    patient_id: str = getattr(data, "patient_id")  # noqa: B009 - every visit event has it
    event = new_patient_event(event_type, source=SOURCE, patient_id=patient_id, data=data)
    await outbox.enqueue(conn, event, topic=ctx.visits_topic, key=patient_id)


def reminder_due_at(ctx: SchedulingContext, visit: VisitData) -> datetime | None:
    return visit.starts_at - ctx.reminder_lead if visit.status is VisitStatus.BOOKED else None


async def book_visit(
    conn: Connection, ctx: SchedulingContext, request: VisitRequest
) -> tuple[VisitData, bool]:
    """The visit and whether it was booked now (False: a retry of the same booking).
    SlotTaken when a participant is busy; VisitIdTaken when the id names another visit."""
    visit = VisitData(
        visit_id=request.visit_id,
        patient_id=request.patient_id,
        clinician_ids=request.clinician_ids,
        type=request.type,
        modality=request.modality,
        starts_at=request.starts_at,
        ends_at=request.starts_at + request.duration,
        status=VisitStatus.BOOKED,
    )
    async with conn.transaction():
        if await repository.insert_visit(conn, visit, reminder_due_at=reminder_due_at(ctx, visit)):
            await announce(conn, ctx, VisitBooked, visit)
            return visit, True
        stored = await repository.get_visit(conn, visit.visit_id)
    same = {"status", "expires_at"}
    if stored is None or stored.visit.model_dump(exclude=same) != visit.model_dump(exclude=same):
        raise VisitIdTaken()
    return stored.visit, False


async def propose_visit(
    conn: Connection,
    ctx: SchedulingContext,
    visit: VisitData,
    *,
    proposal_key: str,
    event_type: EventType,
    event_data: BaseModel | None = None,
) -> tuple[VisitData, bool]:
    """A proposed visit holding its time until `visit.expires_at`; one per `proposal_key`
    (the same trigger again returns the first proposal, False)."""
    async with conn.transaction():
        inserted = await repository.insert_visit(
            conn, visit, reminder_due_at=None, proposal_key=proposal_key
        )
        if inserted:
            await announce(conn, ctx, event_type, event_data or visit)
            return visit, True
    existing = await repository.by_proposal_key(conn, proposal_key)
    assert existing is not None  # the insert lost to this key (ids are fresh uuids)
    return existing.visit, False


async def _locked(conn: Connection, visit_id: UUID) -> StoredVisit:
    stored = await repository.get_visit(conn, visit_id, lock=True)
    if stored is None:
        raise VisitNotFound()
    return stored


async def confirm(conn: Connection, ctx: SchedulingContext, visit_id: UUID) -> VisitData:
    async with conn.transaction():
        visit = (await _locked(conn, visit_id)).visit
        if visit.status is VisitStatus.BOOKED:
            return visit  # confirmed already: a retry
        status = next_status(
            visit.status, Transition.CONFIRM, starts_at=visit.starts_at, now=ctx.clock()
        )
        booked = visit.model_copy(update={"status": status, "expires_at": None})
        await repository.save_transition(
            conn, booked, reminder_due_at=reminder_due_at(ctx, booked), time_changed=True
        )
        await announce(conn, ctx, VisitBooked, booked)
        return booked


async def reschedule(
    conn: Connection,
    ctx: SchedulingContext,
    visit_id: UUID,
    starts_at: datetime,
    duration: timedelta | None,
) -> VisitData:
    async with conn.transaction():
        before = (await _locked(conn, visit_id)).visit
        status = next_status(
            before.status, Transition.RESCHEDULE, starts_at=before.starts_at, now=ctx.clock()
        )
        length = duration or (before.ends_at - before.starts_at)
        after = before.model_copy(
            update={"status": status, "starts_at": starts_at, "ends_at": starts_at + length}
        )
        if (after.starts_at, after.ends_at) == (before.starts_at, before.ends_at):
            return before  # nothing moves: a retry
        await repository.save_transition(
            conn, after, reminder_due_at=reminder_due_at(ctx, after), time_changed=True
        )
        data = VisitRescheduledData(
            **after.model_dump(),
            previous_starts_at=before.starts_at,
            previous_ends_at=before.ends_at,
        )
        await announce(conn, ctx, VisitRescheduled, data)
        return after


async def cancel(
    conn: Connection,
    ctx: SchedulingContext,
    visit_id: UUID,
    *,
    reason: str,
    cancelled_by: str,
    transition: Transition = Transition.CANCEL,
) -> VisitData:
    async with conn.transaction():
        stored = await _locked(conn, visit_id)
        visit = stored.visit
        if visit.status is VisitStatus.CANCELLED:
            return visit  # a retry
        status = next_status(visit.status, transition, starts_at=visit.starts_at, now=ctx.clock())
        cancelled = visit.model_copy(update={"status": status})
        await repository.save_transition(conn, cancelled, reason=reason)
        data = VisitCancelledData(
            **cancelled.model_dump(), reason=reason, cancelled_by=cancelled_by
        )
        await announce(conn, ctx, VisitCancelled, data)
        return cancelled


async def complete(
    conn: Connection, ctx: SchedulingContext, visit_id: UUID, *, outcome_note: str | None
) -> VisitData:
    async with conn.transaction():
        visit = (await _locked(conn, visit_id)).visit
        if visit.status is VisitStatus.FULFILLED:
            return visit  # a retry
        now = ctx.clock()
        status = next_status(visit.status, Transition.COMPLETE, starts_at=visit.starts_at, now=now)
        done = visit.model_copy(update={"status": status})
        await repository.save_transition(conn, done, outcome_note=outcome_note)
        data = VisitCompletedData(**done.model_dump(), completed_at=now, outcome_note=outcome_note)
        await announce(conn, ctx, VisitCompleted, data)
        return done


async def no_show(conn: Connection, ctx: SchedulingContext, visit_id: UUID) -> VisitData:
    async with conn.transaction():
        visit = (await _locked(conn, visit_id)).visit
        if visit.status is VisitStatus.NOSHOW:
            return visit  # a retry
        status = next_status(
            visit.status, Transition.NO_SHOW, starts_at=visit.starts_at, now=ctx.clock()
        )
        missed = visit.model_copy(update={"status": status})
        await repository.save_transition(conn, missed)
        await announce(conn, ctx, VisitNoShow, missed)
        return missed
