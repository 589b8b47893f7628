from datetime import datetime

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel

from services.care_team.adapters import repository
from shared.audit import authorize
from shared.auth import CurrentPrincipal, may_access_patient
from shared.http import PoolDep

router = APIRouter(prefix="/patients/{patient_id}", tags=["medications"])


class ActiveMedication(BaseModel):
    prescription_id: str
    medication: str | None
    rxcui: str | None
    dose: str | None
    route: str | None
    frequency: str | None
    indication: str | None
    prescriber_id: str
    prescriber_role: str
    started_at: datetime | None
    updated_at: datetime


class MedicationList(BaseModel):
    patient_id: str
    medications: list[ActiveMedication]


@router.get("/medications", summary="The patient's active medications, from every prescriber")
async def get_medication_list(
    patient_id: str, principal: CurrentPrincipal, pool: PoolDep
) -> MedicationList:
    async with pool.acquire() as conn:
        team = await repository.team_member_ids(conn, patient_id)
        # Outside a transaction: the audit row commits even when access is refused.
        await authorize(
            conn,
            principal,
            allowed=may_access_patient(principal, patient_id, team),
            action="read",
            patient_id=patient_id,
            resource="medication_list",
        )
        if not await repository.patient_exists(conn, patient_id):
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="unknown patient")
        active = await repository.active_medications(conn, patient_id)
    return MedicationList(
        patient_id=patient_id,
        medications=[
            ActiveMedication(
                prescription_id=p.prescription_id,
                medication=p.medication_name,
                rxcui=p.rxcui,
                dose=p.dose,
                route=p.route,
                frequency=p.frequency,
                indication=p.indication,
                prescriber_id=p.prescriber_id,
                prescriber_role=p.prescriber_role,
                started_at=p.started_at,
                updated_at=p.updated_at,
            )
            for p in active
        ],
    )
