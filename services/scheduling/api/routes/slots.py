"""Free slots for one to three clinicians together, and optionally a patient, in UTC.

Any authenticated caller may search clinicians' free time; naming a patient adds the
patient's own visits (patient data), so then the caller must be allowed to see that patient
(404 otherwise) and the read is audited.
"""

from datetime import datetime, timedelta
from typing import Annotated, Any, NoReturn

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import AwareDatetime, BaseModel, Field

from services.scheduling import availability as use_cases
from services.scheduling.api.access import may_see_patient
from services.scheduling.api.deps import ContextDep
from shared.audit import record_access
from shared.auth import CurrentPrincipal
from shared.http import PoolDep

router = APIRouter(tags=["slots"])

MAX_CLINICIANS = 3
LONGEST_SEARCH = timedelta(days=62)
DEFAULT_SEARCH = timedelta(days=14)


class SlotOut(BaseModel):
    starts_at: datetime
    ends_at: datetime


class SlotsOut(BaseModel):
    clinician_ids: list[str]
    patient_id: str | None
    length_minutes: int
    buffer_minutes: int = Field(description="Kept free around visits: the clinicians' largest")
    slots: list[SlotOut] = Field(description="Earliest first, UTC, starts on the quarter hours")
    next_from: datetime | None = Field(
        description="More slots follow than `limit`: search again with from=next_from"
    )


def _invalid(field: str, message: str) -> NoReturn:
    """A 422 shaped like FastAPI's own validation errors, naming the query parameter."""
    detail: list[dict[str, Any]] = [
        {"loc": ["query", field], "msg": message, "type": "value_error"}
    ]
    raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=detail)


@router.get(
    "/slots",
    summary="Free slots when all the clinicians work and nobody is busy",
    responses={404: {"description": "A clinician has set no availability, or no such patient"}},
)
async def get_slots(
    principal: CurrentPrincipal,
    pool: PoolDep,
    ctx: ContextDep,
    clinician_id: Annotated[
        list[str], Query(description=f"1 to {MAX_CLINICIANS}; repeat the parameter")
    ],
    start: Annotated[AwareDatetime, Query(alias="from")],
    end: Annotated[
        AwareDatetime | None,
        Query(alias="to", description=f"Default: {DEFAULT_SEARCH.days} days after from"),
    ] = None,
    patient_id: Annotated[
        str | None, Query(min_length=1, max_length=200, description="Their visits block too")
    ] = None,
    length_minutes: Annotated[int, Query(ge=5, le=240)] = 30,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
) -> SlotsOut:
    clinicians = list(dict.fromkeys(clinician_id))  # repeated ids count once
    if not 1 <= len(clinicians) <= MAX_CLINICIANS:
        _invalid("clinician_id", f"give 1 to {MAX_CLINICIANS} distinct clinicians")
    if any(not c or len(c) > 200 for c in clinicians):
        _invalid("clinician_id", "a clinician id is 1 to 200 characters")
    until = end if end is not None else start + DEFAULT_SEARCH
    if until <= start:
        _invalid("to", "must be after from")
    if until - start > LONGEST_SEARCH:
        _invalid("to", f"at most {LONGEST_SEARCH.days} days after from")
    async with pool.acquire() as conn:
        if patient_id is not None:
            allowed = await may_see_patient(conn, principal, patient_id)
            await record_access(conn, principal, action="read", patient_id=patient_id,
                                resource="busy_times", allowed=allowed)  # fmt: skip
            if not allowed:
                raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such patient")
        try:
            found = await use_cases.find_slots(
                conn, ctx, clinicians, patient_id, timedelta(minutes=length_minutes), start,
                until, limit,
            )  # fmt: skip
        except use_cases.UnknownSchedule as unknown:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(unknown)) from None
    return SlotsOut(
        clinician_ids=clinicians,
        patient_id=patient_id,
        length_minutes=length_minutes,
        buffer_minutes=found.buffer // timedelta(minutes=1),
        slots=[SlotOut(starts_at=s, ends_at=e) for s, e in found.slots],
        next_from=found.next_from,
    )
