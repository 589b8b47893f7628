"""What clinicians act on: measures over a window, medication overuse, questionnaire
trends, the stress association, and the alerts raised. Readable by the care team."""

from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from datetime import date
from enum import Enum
from typing import Any

from fastapi import APIRouter, Query

from services.diary.adapters import repository
from services.diary.alerting import summarise
from services.diary.api.access import authorize_read
from services.diary.api.deps import NowDep
from services.diary.domain.clinical.measures import window_measures
from shared.auth import CurrentPrincipal
from shared.http import PoolDep

router = APIRouter(prefix="/patients/{patient_id}", tags=["measures"])


def _jsonable(value: Any) -> Any:
    """Dataclasses of the clinical core -> JSON-ready values (dates as ISO strings)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(_jsonable(k)): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


@router.get(
    "/measures",
    summary="Headache, migraine and acute-medication days, intensity, overuse, trends, stress",
    description="The window ends on `through` (default: today in the patient's time zone) and "
    "lasts `days` (28 by default, per the IHS guideline; 30 also common).",
)
async def get_measures(
    patient_id: str,
    principal: CurrentPrincipal,
    pool: PoolDep,
    now: NowDep,
    days: int = Query(default=28, ge=1, le=3660),
    through: date | None = None,
) -> dict[str, Any]:
    async with pool.acquire() as conn:
        await authorize_read(conn, principal, patient_id, resource="measures")
        diary_days, summary = await summarise(conn, patient_id, now=now)
        alerts = await repository.alerts_for(conn, patient_id)
    window = window_measures(diary_days, last_day=through, length_days=days)
    return {
        "patient_id": patient_id,
        "window": _jsonable(window),
        "overuse": _jsonable(summary.overuse),
        "stress": _jsonable(summary.stress),
        "trends": _jsonable(summary.trends),
        "alerts": [
            {**dict(a), "alert_id": str(a["alert_id"]), "raised_at": a["raised_at"].isoformat()}
            for a in alerts
        ],
    }
