from fastapi import APIRouter, HTTPException, Query, status

from services.care_team.adapters import prescription_repository as repository
from services.care_team.api.schemas import MedicationChange
from shared.audit import record_access
from shared.auth import CurrentPrincipal, PrincipalKind
from shared.http import PoolDep

router = APIRouter(prefix="/clinicians/me", tags=["feed"])


@router.get(
    "/feed",
    summary="Medication changes other clinicians made to patients I treat",
    description="Page with `after` (the last seq seen). Only patients whose care team I am on.",
)
async def get_feed(
    principal: CurrentPrincipal,
    pool: PoolDep,
    after: int = Query(default=0, ge=0),
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[MedicationChange]:
    if principal.kind is not PrincipalKind.CLINICIAN:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="the feed is for clinicians")
    async with pool.acquire() as conn, conn.transaction():
        rows = await repository.feed_for_clinician(
            conn, principal.subject, after_seq=after, limit=limit
        )
        for patient_id in sorted({r["patient_id"] for r in rows}):
            await record_access(
                conn,
                principal,
                action="read",
                patient_id=patient_id,
                resource="feed",
                allowed=True,
            )
    return [MedicationChange(**dict(r)) for r in rows]
