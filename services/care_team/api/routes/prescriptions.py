from collections.abc import Awaitable, Callable
from uuid import uuid4

from fastapi import APIRouter, HTTPException, status

from services.care_team.adapters import prescription_repository as repository
from services.care_team.api.change_commands import (
    ChangeCommands,
    ChangeCommandsDep,
    ChangeKey,
    acting_prescriber_of,
)
from services.care_team.api.deps import ContextDep
from services.care_team.api.schemas import (
    ChangeResultOut,
    FindingOut,
    MedicationOut,
    PrescriptionChangeIn,
    PrescriptionStartIn,
    PrescriptionStopIn,
)
from services.care_team.domain.prescriptions import Prescription
from services.care_team.prescriptions import (
    AppliedChange,
    PrescriptionExists,
    PrescriptionNotActive,
    change_prescription,
    start_prescription,
    stop_prescription,
)
from shared.auth import CurrentPrincipal, Principal
from shared.db import Connection
from shared.events.prescriptions import Prescriber

router = APIRouter(prefix="/patients/{patient_id}/prescriptions", tags=["prescriptions"])

NOT_ACTIVE = HTTPException(status.HTTP_409_CONFLICT, detail="the prescription is not active")


def _result(applied: AppliedChange) -> ChangeResultOut:
    prescription, diff = applied.prescription, applied.diff
    raised = [*diff.flagged, *(r.finding for r in diff.reflagged)]
    return ChangeResultOut(
        prescription=MedicationOut.of(prescription),
        alerts=[FindingOut.of(f) for f in raised if f.severity.interruptive],
        flagged=[FindingOut.of(f) for f in raised],
        resolved_conflicts=[r.conflict.conflict_id for r in diff.resolved],
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Start a prescription (published as prescription.started)",
    responses={409: {"description": "prescription_id already exists"}},
)
async def post_prescription(
    patient_id: str,
    body: PrescriptionStartIn,
    principal: CurrentPrincipal,
    ctx: ContextDep,
    commands: ChangeCommandsDep,
) -> ChangeResultOut:
    rx = body.prescription_id or f"rx-{uuid4()}"
    details = body.model_dump(include={"dose", "route", "frequency", "indication"})
    effective_at = body.effective_at or ctx.clock()

    async def start(conn: Connection) -> ChangeResultOut:
        try:
            applied = await start_prescription(
                conn,
                ctx,
                patient_id=patient_id,
                prescription_id=rx,
                prescriber=acting_prescriber_of(principal, patient_id),
                medication=body.medication,
                details=details,
                effective_at=effective_at,
            )
        except PrescriptionExists:  # refused before any change (change_commands)
            raise HTTPException(
                status.HTTP_409_CONFLICT, detail="prescription_id already exists"
            ) from None
        return _result(applied)

    return await commands.submit(ChangeKey(patient_id, rx, principal), start)


async def _change_existing(
    patient_id: str,
    prescription_id: str,
    principal: Principal,
    commands: ChangeCommands,
    change: Callable[[Connection, Prescription, Prescriber], Awaitable[AppliedChange]],
) -> ChangeResultOut:
    async def apply(conn: Connection) -> ChangeResultOut:
        prescriber = acting_prescriber_of(principal, patient_id)
        current = await repository.get_prescription(
            conn, patient_id, prescription_id, for_update=True
        )
        # Refusals come before any change (change_commands).
        if current is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such prescription")
        try:
            applied = await change(conn, current, prescriber)
        except PrescriptionNotActive:
            raise NOT_ACTIVE from None
        return _result(applied)

    return await commands.submit(ChangeKey(patient_id, prescription_id, principal), apply)


@router.patch(
    "/{prescription_id}",
    summary="Change dose, frequency, route or indication (published as prescription.changed)",
    responses={404: {"description": "No such prescription"}, 409: {"description": "Not active"}},
)
async def patch_prescription(
    patient_id: str,
    prescription_id: str,
    body: PrescriptionChangeIn,
    principal: CurrentPrincipal,
    ctx: ContextDep,
    commands: ChangeCommandsDep,
) -> ChangeResultOut:
    changes = body.model_dump(exclude_unset=True, exclude={"effective_at"})
    effective_at = body.effective_at or ctx.clock()
    return await _change_existing(
        patient_id,
        prescription_id,
        principal,
        commands,
        lambda conn, current, prescriber: change_prescription(
            conn, ctx, current, prescriber=prescriber, changes=changes, effective_at=effective_at
        ),
    )


@router.post(
    "/{prescription_id}/stop",
    summary="Stop a prescription (published as prescription.stopped)",
    responses={404: {"description": "No such prescription"}, 409: {"description": "Not active"}},
)
async def stop(
    patient_id: str,
    prescription_id: str,
    body: PrescriptionStopIn,
    principal: CurrentPrincipal,
    ctx: ContextDep,
    commands: ChangeCommandsDep,
) -> ChangeResultOut:
    effective_at = body.effective_at or ctx.clock()
    return await _change_existing(
        patient_id,
        prescription_id,
        principal,
        commands,
        lambda conn, current, prescriber: stop_prescription(
            conn, ctx, current, prescriber=prescriber, reason=body.reason, effective_at=effective_at
        ),
    )
