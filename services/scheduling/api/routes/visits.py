"""Visits: book, read, list, and move through their statuses (FHIR Appointment)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Annotated, Any, Self
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, Response, status
from pydantic import AwareDatetime, BaseModel, Field, model_validator

from services.scheduling import visits as use_cases
from services.scheduling.adapters import repository
from services.scheduling.adapters.proposal_repository import set_follow_up_window
from services.scheduling.adapters.repository import SlotTaken
from services.scheduling.api.access import authorize_visit, may_record_outcome, may_see_patient
from services.scheduling.api.deps import ContextDep
from services.scheduling.domain.visits import InvalidTransition, VisitIdTaken, VisitRequest
from services.scheduling.proposals import follow_ups_for_visit
from shared.audit import record_access
from shared.auth import CurrentPrincipal, Principal, PrincipalKind
from shared.db import Connection
from shared.events.visits import VisitData
from shared.http import PoolDep

router = APIRouter(prefix="/visits", tags=["visits"])
BUSY: dict[int | str, dict[str, Any]] = {
    409: {"description": "Someone is busy then, or the status does not allow it"}
}


class RescheduleIn(BaseModel):
    starts_at: AwareDatetime
    duration_minutes: int | None = Field(default=None, ge=5, le=240)


class CancelIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class CompleteIn(BaseModel):
    outcome_note: str | None = Field(default=None, max_length=2000)
    follow_up_after_weeks: int | None = Field(
        default=None,
        ge=1,
        le=52,
        description="If a preventive was started or changed: "
        "propose the follow-up from this many weeks after the visit (default 6)",
    )
    follow_up_before_weeks: int | None = Field(
        default=None, ge=2, le=53, description="...and before this many weeks (default 8)"
    )

    @model_validator(mode="after")
    def _window_in_order(self) -> Self:
        after, before = self.follow_up_after_weeks, self.follow_up_before_weeks
        if (after is None) != (before is None):
            raise ValueError("follow_up_after_weeks and follow_up_before_weeks go together")
        if after is not None and before is not None and before <= after:
            raise ValueError("follow_up_before_weeks must be after follow_up_after_weeks")
        return self

    @property
    def follow_up_window(self) -> tuple[timedelta, timedelta] | None:
        if self.follow_up_after_weeks is None or self.follow_up_before_weeks is None:
            return None
        return timedelta(weeks=self.follow_up_after_weeks), timedelta(
            weeks=self.follow_up_before_weeks
        )


def _may_book(principal: Principal, request: VisitRequest) -> bool:
    match principal.kind:
        case PrincipalKind.SERVICE:
            return True
        case PrincipalKind.PATIENT:
            return principal.subject == request.patient_id
        case PrincipalKind.CLINICIAN:
            return principal.subject in request.clinician_ids
    return False


@asynccontextmanager
async def _refusals() -> AsyncIterator[None]:
    """Domain refusals as HTTP answers."""
    try:
        yield
    except SlotTaken as taken:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(taken)) from None
    except InvalidTransition as invalid:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(invalid)) from None
    except use_cases.VisitNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such visit") from None


async def _visit_for(
    conn: Connection, principal: Principal, visit_id: UUID, action: str
) -> VisitData:
    stored = await repository.get_visit(conn, visit_id)
    if stored is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such visit")
    await authorize_visit(conn, principal, stored.visit, action=action)
    return stored.visit


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Book a visit (the time must be free for every participant)",
    responses={
        200: {"description": "Already booked with this visit_id (a retry): nothing changed"},
        403: {"description": "Not a participant of the visit"},
        **BUSY,
    },
)
async def post_visit(
    request: VisitRequest,
    principal: CurrentPrincipal,
    pool: PoolDep,
    ctx: ContextDep,
    response: Response,
) -> VisitData:
    if not _may_book(principal, request):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="not a participant of this visit")
    async with pool.acquire() as conn, _refusals():
        try:
            visit, created = await use_cases.book_visit(conn, ctx, request)
        except VisitIdTaken:
            raise HTTPException(
                status.HTTP_409_CONFLICT, detail="visit_id is already used for a different visit"
            ) from None
    if not created:
        response.status_code = status.HTTP_200_OK
    return visit


@router.get("", summary="A clinician's schedule, or a patient's visits, in a time range")
async def list_visits(
    principal: CurrentPrincipal,
    pool: PoolDep,
    start: Annotated[AwareDatetime, Query(alias="from")],
    end: Annotated[AwareDatetime | None, Query(alias="to")] = None,
    clinician_id: str | None = None,
    patient_id: str | None = None,
) -> list[VisitData]:
    if (clinician_id is None) == (patient_id is None):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=[{"loc": ["query", "clinician_id"], "msg": "give clinician_id or patient_id",
                     "type": "value_error"}],
        )  # fmt: skip
    until = end or start + timedelta(days=31)
    async with pool.acquire() as conn:
        if clinician_id is not None:
            own = principal.kind is PrincipalKind.SERVICE or principal.subject == clinician_id
            if not own:
                raise HTTPException(status.HTTP_403_FORBIDDEN, detail="only your own schedule")
            found = await repository.list_visits(
                conn, clinician_id=clinician_id, patient_id=None, start=start, end=until
            )
            for patient in sorted({s.visit.patient_id for s in found}):
                await record_access(conn, principal, action="read", patient_id=patient,
                                    resource="visits", allowed=True)  # fmt: skip
            return [s.visit for s in found]
        assert patient_id is not None
        allowed = await may_see_patient(conn, principal, patient_id)
        await record_access(conn, principal, action="read", patient_id=patient_id,
                            resource="visits", allowed=allowed)  # fmt: skip
        if not allowed:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such patient")
        found = await repository.list_visits(
            conn, clinician_id=None, patient_id=patient_id, start=start, end=until
        )
        return [s.visit for s in found]


@router.get("/{visit_id}", summary="One visit")
async def get_visit(visit_id: UUID, principal: CurrentPrincipal, pool: PoolDep) -> VisitData:
    async with pool.acquire() as conn:
        return await _visit_for(conn, principal, visit_id, "read")


@router.post("/{visit_id}/confirm", summary="Accept a proposed visit", responses=BUSY)
async def confirm_visit(
    visit_id: UUID, principal: CurrentPrincipal, pool: PoolDep, ctx: ContextDep
) -> VisitData:
    async with pool.acquire() as conn, _refusals():
        await _visit_for(conn, principal, visit_id, "confirm")
        return await use_cases.confirm(conn, ctx, visit_id)


@router.post("/{visit_id}/reschedule", summary="Move a visit", responses=BUSY)
async def reschedule_visit(
    visit_id: UUID, body: RescheduleIn, principal: CurrentPrincipal, pool: PoolDep, ctx: ContextDep
) -> VisitData:
    duration = timedelta(minutes=body.duration_minutes) if body.duration_minutes else None
    async with pool.acquire() as conn, _refusals():
        await _visit_for(conn, principal, visit_id, "reschedule")
        return await use_cases.reschedule(conn, ctx, visit_id, body.starts_at, duration)


@router.post("/{visit_id}/cancel", summary="Cancel a visit, with a reason", responses=BUSY)
async def cancel_visit(
    visit_id: UUID, body: CancelIn, principal: CurrentPrincipal, pool: PoolDep, ctx: ContextDep
) -> VisitData:
    async with pool.acquire() as conn, _refusals():
        await _visit_for(conn, principal, visit_id, "cancel")
        return await use_cases.cancel(
            conn, ctx, visit_id, reason=body.reason, cancelled_by=principal.subject
        )


@router.post("/{visit_id}/complete", summary="It took place (with an outcome note)",
             responses=BUSY)  # fmt: skip
async def complete_visit(
    visit_id: UUID, body: CompleteIn, principal: CurrentPrincipal, pool: PoolDep, ctx: ContextDep
) -> VisitData:
    async with pool.acquire() as conn, _refusals():
        visit = await _visit_for(conn, principal, visit_id, "complete")
        if not may_record_outcome(principal, visit):
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail="a clinician at the visit says")
        async with conn.transaction():  # the follow-up, if due, commits with the completion
            done = await use_cases.complete(conn, ctx, visit_id, outcome_note=body.outcome_note)
            if body.follow_up_window is not None:
                await set_follow_up_window(conn, visit_id, body.follow_up_window)
            await follow_ups_for_visit(conn, ctx, done)
        return done


@router.post("/{visit_id}/no-show", summary="The patient did not come", responses=BUSY)
async def no_show_visit(
    visit_id: UUID, principal: CurrentPrincipal, pool: PoolDep, ctx: ContextDep
) -> VisitData:
    async with pool.acquire() as conn, _refusals():
        visit = await _visit_for(conn, principal, visit_id, "no_show")
        if not may_record_outcome(principal, visit):
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail="a clinician at the visit says")
        return await use_cases.no_show(conn, ctx, visit_id)
