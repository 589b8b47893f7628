from uuid import UUID

from fastapi import APIRouter, HTTPException, Response, status

from services.scheduling.adapters import repository
from services.scheduling.domain.visits import VisitIdTaken, VisitRequest
from services.scheduling.visits import book_visit
from shared.audit import authorize
from shared.auth import CurrentPrincipal, Principal, PrincipalKind, may_access_patient
from shared.events.registry import Topic
from shared.events.visits import VisitData
from shared.http import PoolDep, RuntimeDep

router = APIRouter(prefix="/visits", tags=["visits"])


def _may_book(principal: Principal, request: VisitRequest) -> bool:
    match principal.kind:
        case PrincipalKind.SERVICE:
            return True
        case PrincipalKind.PATIENT:
            return principal.subject == request.patient_id
        case PrincipalKind.CLINICIAN:
            return principal.subject in request.clinician_ids
    return False


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Book a visit",
    responses={
        200: {"description": "Already booked with this visit_id (a retry): nothing changed"},
        403: {"description": "Not a participant of the visit"},
        409: {"description": "visit_id already used for a different visit"},
    },
)
async def post_visit(
    request: VisitRequest,
    principal: CurrentPrincipal,
    pool: PoolDep,
    runtime: RuntimeDep,
    response: Response,
) -> VisitData:
    if not _may_book(principal, request):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="not a participant of this visit")
    async with pool.acquire() as conn:
        try:
            visit, created = await book_visit(
                conn, request, topic=runtime.settings.topic(Topic.VISITS)
            )
        except VisitIdTaken:
            raise HTTPException(
                status.HTTP_409_CONFLICT, detail="visit_id is already used for a different visit"
            ) from None
    if not created:
        response.status_code = status.HTTP_200_OK
    return visit


@router.get("/{visit_id}", summary="One visit")
async def get_visit(visit_id: UUID, principal: CurrentPrincipal, pool: PoolDep) -> VisitData:
    async with pool.acquire() as conn:
        visit = await repository.get_visit(conn, visit_id)
        if visit is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such visit")
        await authorize(
            conn,
            principal,
            allowed=may_access_patient(principal, visit.patient_id, visit.clinician_ids),
            action="read",
            patient_id=visit.patient_id,
            resource="visit",
        )
    return visit
