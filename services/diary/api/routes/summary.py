"""The clinician summary of one period: measures, alerts, medication changes, preventive
effects and chart series. Readable by the care team (and integrations), not the patient."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status

from services.diary.api.access import authorize_team_read
from services.diary.api.deps import NowDep
from services.diary.api.schemas import SummaryOut
from services.diary.reports import DEFAULT_PERIOD_DAYS, InvalidPeriod, period_summary
from shared.auth import CurrentPrincipal
from shared.http import PoolDep

router = APIRouter(prefix="/patients/{patient_id}/summary", tags=["summary"])

_REFUSED: dict[int | str, dict[str, str]] = {
    403: {"description": "The patient themself: this view is for the care team"},
    404: {"description": "No such patient, or not on the patient's care team"},
}


@router.get(
    "",
    summary="Clinician summary of a period: measures, alerts, medication changes, preventive "
    "effects, weekly trends",
    description=f"`from`/`to` are the patient's local days, both included; the default is the "
    f"last {DEFAULT_PERIOD_DAYS} days ending today. Preventive effects are those whose baseline "
    "to week 12 overlaps the period.",
    responses=_REFUSED,
)
async def get_summary(
    patient_id: str,
    principal: CurrentPrincipal,
    pool: PoolDep,
    now: NowDep,
    first: Annotated[date | None, Query(alias="from")] = None,
    last: Annotated[date | None, Query(alias="to")] = None,
) -> SummaryOut:
    async with pool.acquire() as conn:
        await authorize_team_read(conn, principal, patient_id, resource="summary")
        try:
            found = await period_summary(conn, patient_id, first=first, last=last, now=now)
        except InvalidPeriod as error:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                detail=[{"loc": ["query", error.field], "msg": str(error), "type": "value_error"}],
            ) from None
    return SummaryOut.of(found)
