from typing import Literal
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, status

from services.care_team.acknowledgements import ConflictNotFound, ConflictNotOpen, acknowledge
from services.care_team.adapters import conflict_repository as repository
from services.care_team.api.access import authorize_patient
from services.care_team.api.deps import ContextDep
from services.care_team.api.schemas import AcknowledgementIn, AcknowledgementOut, ConflictOut
from services.care_team.domain.engine.model import Severity
from shared.auth import CurrentPrincipal, PrincipalKind
from shared.db import Connection
from shared.http import PoolDep

router = APIRouter(prefix="/patients/{patient_id}/conflicts", tags=["conflicts"])


async def _conflicts(
    conn: Connection, patient_id: str, status_filter: str | None
) -> list[ConflictOut]:
    rows = await repository.list_for_patient(conn, patient_id, status=status_filter)
    acks = await repository.acknowledgements(conn, [r["conflict_id"] for r in rows])
    return [
        ConflictOut(
            **{
                k: v
                for k, v in dict(r).items()
                if k not in {"conflict_key", "daily_doses", "patient_id", "window_violated_at"}
            },
            interruptive=Severity(r["severity"]).interruptive,
            acknowledgements=[
                AcknowledgementOut(**dict(a)) for a in acks.get(r["conflict_id"], [])
            ],
        )
        for r in rows
    ]


@router.get("", summary="The patient's conflicts, open first, with who acknowledged what")
async def list_conflicts(
    patient_id: str,
    principal: CurrentPrincipal,
    pool: PoolDep,
    status_filter: Literal["open", "resolved", "all"] = Query(default="all", alias="status"),
) -> list[ConflictOut]:
    async with pool.acquire() as conn:
        await authorize_patient(conn, principal, patient_id, action="read", resource="conflicts")
        return await _conflicts(conn, patient_id, None if status_filter == "all" else status_filter)


@router.post(
    "/{conflict_id}/acknowledgements",
    status_code=status.HTTP_201_CREATED,
    summary="Acknowledge an open conflict with a reason; the whole team sees it",
    responses={404: {"description": "No such conflict"}, 409: {"description": "Not open"}},
)
async def post_acknowledgement(
    patient_id: str,
    conflict_id: UUID,
    body: AcknowledgementIn,
    principal: CurrentPrincipal,
    pool: PoolDep,
    ctx: ContextDep,
) -> ConflictOut:
    async with pool.acquire() as conn:
        await authorize_patient(conn, principal, patient_id, action="write", resource="conflict")
        if principal.kind is not PrincipalKind.CLINICIAN:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, detail="clinicians acknowledge conflicts"
            )
        async with conn.transaction():
            try:
                await acknowledge(
                    conn,
                    ctx,
                    patient_id,
                    conflict_id,
                    clinician_id=principal.subject,
                    reason=body.reason,
                    note=body.note,
                )
            except ConflictNotFound:
                raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such conflict") from None
            except ConflictNotOpen:
                raise HTTPException(
                    status.HTTP_409_CONFLICT, detail="the conflict is resolved"
                ) from None
        [conflict] = [
            c for c in await _conflicts(conn, patient_id, None) if c.conflict_id == conflict_id
        ]
    return conflict
