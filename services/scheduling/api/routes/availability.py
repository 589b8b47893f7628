"""Clinicians' weekly hours (in their own time zone), buffer, and one-off exceptions.

The clinician (or an integration) writes; any authenticated caller reads: availability is
not patient data.
"""

from datetime import datetime, time, timedelta
from itertools import pairwise
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, HTTPException, Path, Response, status
from pydantic import (
    AwareDatetime,
    BaseModel,
    Field,
    ValidationInfo,
    field_serializer,
    field_validator,
)

from services.scheduling import availability as use_cases
from services.scheduling.adapters.availability_repository import StoredException, StoredSchedule
from services.scheduling.api.deps import ContextDep
from services.scheduling.domain.availability import LEAVE, AvailabilityException, WeeklyHours
from shared.auth import CurrentPrincipal, Principal, PrincipalKind
from shared.http import PoolDep

router = APIRouter(prefix="/clinicians/{clinician_id}/availability", tags=["availability"])

ClinicianId = Annotated[str, Path(min_length=1, max_length=200)]
Responses = dict[int | str, dict[str, Any]]
NOT_YOURS: Responses = {403: {"description": "Only the clinician themself or an integration"}}
NO_SCHEDULE: Responses = {404: {"description": "The clinician has set no availability"}}
# Not real time zones: the server's own zone, and tzdata's placeholder.
_NOT_ZONES = frozenset({"localtime", "Factory"})
LONGEST_EXCEPTION = timedelta(days=366)
Kind = Literal["leave", "extra"]


class WeeklyHoursIn(BaseModel):
    weekday: int = Field(ge=0, le=6, description="0 = Monday .. 6 = Sunday")
    start: time = Field(description="Local wall-clock time, whole minutes, e.g. 09:00")
    end: time = Field(description="Local, after start on the same day, e.g. 17:00")

    @field_validator("start", "end")
    @classmethod
    def _wall_clock_minutes(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError("a local wall-clock time without offset, e.g. 09:00")
        if value.second or value.microsecond:
            raise ValueError("whole minutes, e.g. 09:00")
        return value

    @field_validator("end")
    @classmethod
    def _after_start(cls, value: time, info: ValidationInfo) -> time:
        start = info.data.get("start")
        if start is not None and value <= start:
            raise ValueError(
                "must be after start on the same day (split overnight hours into two days)"
            )
        return value

    @field_serializer("start", "end")
    def _as_hh_mm(self, value: time) -> str:
        return value.isoformat(timespec="minutes")

    def domain(self) -> WeeklyHours:
        return WeeklyHours(self.weekday, self.start, self.end)


class AvailabilityIn(BaseModel):
    time_zone: str = Field(description="IANA time zone of the weekly hours, e.g. Europe/Berlin")
    weekly: list[WeeklyHoursIn] = Field(max_length=100)
    buffer_minutes: int = Field(default=0, ge=0, le=120, description="Kept free around visits")

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("not an IANA time zone, e.g. Europe/Berlin") from None
        if value in _NOT_ZONES:
            raise ValueError("not an IANA time zone, e.g. Europe/Berlin")
        return value

    @field_validator("weekly")
    @classmethod
    def _no_overlaps(cls, value: list[WeeklyHoursIn]) -> list[WeeklyHoursIn]:
        ordered = sorted(enumerate(value), key=lambda item: (item[1].weekday, item[1].start))
        for (i, earlier), (j, later) in pairwise(ordered):
            if earlier.weekday == later.weekday and later.start < earlier.end:
                raise ValueError(f"weekly[{j}] overlaps weekly[{i}] on weekday {later.weekday}")
        return value


class ExceptionIn(BaseModel):
    exception_id: UUID = Field(
        default_factory=uuid4, description="Optional; a client-chosen id makes a retry safe"
    )
    kind: Kind = Field(
        description="leave: not available then; extra: available then, on top of weekly hours"
    )
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    note: str | None = Field(default=None, max_length=500)

    @field_validator("ends_at")
    @classmethod
    def _a_real_span(cls, value: datetime, info: ValidationInfo) -> datetime:
        starts_at = info.data.get("starts_at")
        if starts_at is not None and value <= starts_at:
            raise ValueError("must be after starts_at")
        if starts_at is not None and value - starts_at > LONGEST_EXCEPTION:
            raise ValueError(f"at most {LONGEST_EXCEPTION.days} days after starts_at")
        return value

    def domain(self) -> AvailabilityException:
        return AvailabilityException(self.kind, self.starts_at, self.ends_at)


class ExceptionOut(BaseModel):
    exception_id: UUID
    kind: Kind
    starts_at: datetime
    ends_at: datetime
    note: str | None

    @classmethod
    def of(cls, stored: StoredException) -> "ExceptionOut":
        e = stored.exception
        kind: Kind = "leave" if e.kind == LEAVE else "extra"
        return cls(exception_id=stored.exception_id, kind=kind, starts_at=e.starts_at,
                   ends_at=e.ends_at, note=stored.note)  # fmt: skip


class AvailabilityOut(BaseModel):
    clinician_id: str
    time_zone: str
    weekly: list[WeeklyHoursIn]
    buffer_minutes: int
    updated_at: datetime
    exceptions: list[ExceptionOut] = Field(description="Those not over yet, earliest first")

    @classmethod
    def of(cls, stored: StoredSchedule, exceptions: list[StoredException]) -> "AvailabilityOut":
        weekly = sorted(stored.schedule.weekly, key=lambda h: (h.weekday, h.start))
        return cls(
            clinician_id=stored.clinician_id,
            time_zone=stored.time_zone,
            weekly=[WeeklyHoursIn(weekday=h.weekday, start=h.start, end=h.end) for h in weekly],
            buffer_minutes=stored.buffer_minutes,
            updated_at=stored.updated_at,
            exceptions=[ExceptionOut.of(e) for e in exceptions],
        )


def _may_change(principal: Principal, clinician_id: str) -> None:
    allowed = principal.kind is PrincipalKind.SERVICE or (
        principal.kind is PrincipalKind.CLINICIAN and principal.subject == clinician_id
    )
    if not allowed:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="only your own availability")


def _no_schedule(unknown: use_cases.UnknownSchedule) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=str(unknown))


@router.put("", summary="Set the weekly hours, time zone and buffer", responses=NOT_YOURS)
async def put_availability(
    clinician_id: ClinicianId,
    body: AvailabilityIn,
    principal: CurrentPrincipal,
    pool: PoolDep,
    ctx: ContextDep,
) -> AvailabilityOut:
    _may_change(principal, clinician_id)
    async with pool.acquire() as conn:
        await use_cases.set_weekly_hours(
            conn,
            clinician_id,
            time_zone=body.time_zone,
            weekly=[h.domain() for h in body.weekly],
            buffer_minutes=body.buffer_minutes,
        )
        stored, exceptions = await use_cases.get_availability(conn, ctx, clinician_id)
    return AvailabilityOut.of(stored, exceptions)


@router.get("", summary="A clinician's weekly hours and exceptions", responses=NO_SCHEDULE)
async def get_availability(
    clinician_id: ClinicianId, principal: CurrentPrincipal, pool: PoolDep, ctx: ContextDep
) -> AvailabilityOut:
    async with pool.acquire() as conn:
        try:
            stored, exceptions = await use_cases.get_availability(conn, ctx, clinician_id)
        except use_cases.UnknownSchedule as unknown:
            raise _no_schedule(unknown) from None
    return AvailabilityOut.of(stored, exceptions)


@router.post(
    "/exceptions",
    status_code=status.HTTP_201_CREATED,
    summary="Add leave (not available) or extra hours",
    responses={
        200: {"description": "Already added with this exception_id (a retry): nothing changed"},
        409: {"description": "exception_id is already used for a different exception"},
        **NOT_YOURS,
        **NO_SCHEDULE,
    },
)
async def post_exception(
    clinician_id: ClinicianId,
    body: ExceptionIn,
    principal: CurrentPrincipal,
    pool: PoolDep,
    response: Response,
) -> ExceptionOut:
    _may_change(principal, clinician_id)
    async with pool.acquire() as conn:
        try:
            stored, created = await use_cases.add_exception(
                conn, clinician_id, body.exception_id, body.domain(), body.note
            )
        except use_cases.UnknownSchedule as unknown:
            raise _no_schedule(unknown) from None
        except use_cases.ExceptionIdTaken:
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                detail="exception_id is already used for a different exception",
            ) from None
    if not created:
        response.status_code = status.HTTP_200_OK
    return ExceptionOut.of(stored)


@router.delete(
    "/exceptions/{exception_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove an exception",
    responses={404: {"description": "The clinician has no such exception"}, **NOT_YOURS},
)
async def delete_exception(
    clinician_id: ClinicianId, exception_id: UUID, principal: CurrentPrincipal, pool: PoolDep
) -> Response:
    _may_change(principal, clinician_id)
    async with pool.acquire() as conn:
        if not await use_cases.remove_exception(conn, clinician_id, exception_id):
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such exception")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
