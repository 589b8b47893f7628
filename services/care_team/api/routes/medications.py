from fastapi import APIRouter, Query

from services.care_team.adapters import prescription_repository as repository
from services.care_team.api.access import authorize_patient, not_found
from services.care_team.api.deps import ContextDep
from services.care_team.api.schemas import MedicationChange, MedicationListOut, MedicationOut
from services.care_team.domain.prescriptions import PrescriptionStatus
from services.care_team.evaluation import medication_entry
from shared.auth import CurrentPrincipal
from shared.http import PoolDep

router = APIRouter(prefix="/patients/{patient_id}/medications", tags=["medications"])


@router.get(
    "",
    summary="The combined list: active medications from every prescriber, and "
    "stopped ones whose washout still counts",
)
async def get_medication_list(
    patient_id: str, principal: CurrentPrincipal, pool: PoolDep, ctx: ContextDep
) -> MedicationListOut:
    now = ctx.clock()
    async with pool.acquire() as conn:
        await authorize_patient(
            conn,
            principal,
            patient_id,
            action="read",
            resource="medication_list",
            patient_may=True,
        )
        if not await repository.patient_exists(conn, patient_id):
            raise not_found()
        listed = await repository.current_medications(
            conn, patient_id, stopped_since=now - ctx.engine.max_washout
        )
    active, in_washout = [], []
    for p in listed:
        if p.status is PrescriptionStatus.ACTIVE:
            active.append(MedicationOut.of(p))
        elif (
            (entry := medication_entry(p))
            and (until := ctx.engine.washout_until(entry))
            and until > now
        ):
            in_washout.append(MedicationOut.of(p, washout_until=until))
    return MedicationListOut(patient_id=patient_id, medications=active, in_washout=in_washout)


@router.get("/history", summary="Every change of the list, in the order it was applied")
async def get_history(
    patient_id: str,
    principal: CurrentPrincipal,
    pool: PoolDep,
    after: int = Query(default=0, ge=0, description="Continue after this seq"),
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[MedicationChange]:
    async with pool.acquire() as conn:
        await authorize_patient(
            conn,
            principal,
            patient_id,
            action="read",
            resource="medication_history",
            patient_may=True,
        )
        rows = await repository.history(conn, patient_id, after_seq=after, limit=limit)
    return [MedicationChange(patient_id=patient_id, **dict(r)) for r in rows]
