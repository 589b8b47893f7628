from uuid import UUID

from fastapi import APIRouter, HTTPException, Response, status

from services.diary.adapters import repository
from services.diary.attacks import record_attack
from services.diary.domain.attacks import AttackEntry, EntryConflict
from shared.audit import authorize
from shared.auth import CurrentPrincipal, Principal, PrincipalKind, may_access_patient
from shared.events.diary import AttackData
from shared.events.registry import Topic
from shared.http import PoolDep, RuntimeDep

router = APIRouter(prefix="/patients/{patient_id}/attacks", tags=["attacks"])


def _may_write(principal: Principal, patient_id: str) -> bool:
    # The patient (their app) or an integration records diary entries; clinicians read them.
    return principal.kind is PrincipalKind.SERVICE or (
        principal.kind is PrincipalKind.PATIENT and principal.subject == patient_id
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Record a headache attack",
    responses={
        200: {"description": "Already recorded with this entry_id (a retry): nothing changed"},
        409: {"description": "entry_id already used for a different attack"},
    },
)
async def post_attack(
    patient_id: str,
    entry: AttackEntry,
    principal: CurrentPrincipal,
    pool: PoolDep,
    runtime: RuntimeDep,
    response: Response,
) -> AttackData:
    if not _may_write(principal, patient_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="only the patient records entries")
    async with pool.acquire() as conn:
        try:
            attack, created = await record_attack(
                conn, patient_id, entry, topic=runtime.settings.topic(Topic.DIARY)
            )
        except EntryConflict:
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                detail="entry_id is already used for a different attack",
            ) from None
    if not created:
        response.status_code = status.HTTP_200_OK
    return attack


@router.get("/{entry_id}", summary="One recorded attack")
async def get_attack(
    patient_id: str, entry_id: UUID, principal: CurrentPrincipal, pool: PoolDep
) -> AttackData:
    async with pool.acquire() as conn:
        # Care-team membership reaches the diary with the care-team events (a later issue);
        # until then the patient and integrations may read.
        await authorize(
            conn,
            principal,
            allowed=may_access_patient(principal, patient_id),
            action="read",
            patient_id=patient_id,
            resource="attack",
        )
        attack = await repository.get_attack(conn, patient_id, entry_id)
    if attack is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such attack")
    return attack
