from fastapi import APIRouter, HTTPException, Response, status

from services.care_team.adapters import team_repository
from services.care_team.api.access import authorize_patient, not_found
from services.care_team.api.deps import ContextDep
from services.care_team.api.schemas import CareTeamOut, MemberIn, MemberOut, ProfileIn, ProfileOut
from services.care_team.team import add_member, remove_member, update_profile
from shared.auth import CurrentPrincipal, PrincipalKind
from shared.http import PoolDep

router = APIRouter(prefix="/patients/{patient_id}", tags=["care team"])


async def _team(pool: PoolDep, patient_id: str) -> CareTeamOut:
    async with pool.acquire() as conn:
        rows = await team_repository.members(conn, patient_id)
    return CareTeamOut(patient_id=patient_id, members=[MemberOut(**dict(r)) for r in rows])


@router.get("/care-team", summary="Who treats this patient")
async def get_care_team(patient_id: str, principal: CurrentPrincipal, pool: PoolDep) -> CareTeamOut:
    async with pool.acquire() as conn:
        await authorize_patient(
            conn, principal, patient_id, action="read", resource="care_team", patient_may=True
        )
    return await _team(pool, patient_id)


@router.post(
    "/care-team/members",
    status_code=status.HTTP_201_CREATED,
    summary="Add a clinician (by a team member or an integration)",
    responses={200: {"description": "Already a member: nothing changed"}},
)
async def post_member(
    patient_id: str,
    member: MemberIn,
    principal: CurrentPrincipal,
    pool: PoolDep,
    ctx: ContextDep,
    response: Response,
) -> CareTeamOut:
    async with pool.acquire() as conn:
        await authorize_patient(conn, principal, patient_id, action="write", resource="care_team")
        async with conn.transaction():
            added = await add_member(
                conn,
                ctx,
                patient_id,
                member.clinician_id,
                member.role,
                changed_by=principal.subject,
            )
    if not added:
        response.status_code = status.HTTP_200_OK
    return await _team(pool, patient_id)


@router.delete(
    "/care-team/members/{clinician_id}",
    summary="Remove a clinician from the team",
    responses={404: {"description": "No such patient, or not a member"}},
)
async def delete_member(
    patient_id: str, clinician_id: str, principal: CurrentPrincipal, pool: PoolDep, ctx: ContextDep
) -> CareTeamOut:
    async with pool.acquire() as conn:
        await authorize_patient(conn, principal, patient_id, action="write", resource="care_team")
        async with conn.transaction():
            removed = await remove_member(
                conn, ctx, patient_id, clinician_id, changed_by=principal.subject
            )
    if not removed:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="not a member of this care team")
    return await _team(pool, patient_id)


@router.get("/profile", summary="What the conflict rules know about the patient")
async def get_profile(patient_id: str, principal: CurrentPrincipal, pool: PoolDep) -> ProfileOut:
    async with pool.acquire() as conn:
        await authorize_patient(
            conn, principal, patient_id, action="read", resource="profile", patient_may=True
        )
        profile = await team_repository.profile(conn, patient_id)
    return ProfileOut(
        patient_id=patient_id,
        birth_date=profile.birth_date,
        sex=profile.sex,
        pregnant=profile.pregnant,
        childbearing_potential=profile.childbearing_potential,
        effective_contraception=profile.effective_contraception,
        conditions=sorted(profile.conditions),
    )


@router.put("/profile", summary="Replace the profile; conflicts are re-evaluated")
async def put_profile(
    patient_id: str, body: ProfileIn, principal: CurrentPrincipal, pool: PoolDep, ctx: ContextDep
) -> ProfileOut:
    if principal.kind is PrincipalKind.PATIENT:
        raise not_found()
    async with pool.acquire() as conn:
        await authorize_patient(conn, principal, patient_id, action="write", resource="profile")
        async with conn.transaction():
            await update_profile(
                conn, ctx, patient_id, changed_by=principal.subject, **body.model_dump()
            )
    return ProfileOut(patient_id=patient_id, **body.model_dump())
