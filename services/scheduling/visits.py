"""Use case: book a visit and announce it, in one transaction."""

from services.scheduling.adapters import repository
from services.scheduling.domain.visits import VisitIdTaken, VisitRequest
from shared import outbox
from shared.db import Connection
from shared.events.envelope import new_patient_event
from shared.events.visits import VisitBooked, VisitData, VisitStatus

SOURCE = "/carecoord/scheduling"


async def book_visit(
    conn: Connection, request: VisitRequest, *, topic: str
) -> tuple[VisitData, bool]:
    """Returns the visit and whether it was booked now (False: a retry of the same booking)."""
    visit = VisitData(
        visit_id=request.visit_id,
        patient_id=request.patient_id,
        clinician_ids=request.clinician_ids,
        type=request.type,
        modality=request.modality,
        starts_at=request.starts_at,
        ends_at=request.starts_at + request.duration,
        status=VisitStatus.BOOKED,
    )
    async with conn.transaction():
        if await repository.insert_visit(conn, visit):
            event = new_patient_event(
                VisitBooked, source=SOURCE, patient_id=visit.patient_id, data=visit
            )
            await outbox.enqueue(conn, event, topic=topic, key=visit.patient_id)
            return visit, True
        stored = await repository.get_visit(conn, visit.visit_id)
    if stored is None or stored.model_dump(exclude={"status"}) != visit.model_dump(
        exclude={"status"}
    ):
        raise VisitIdTaken()
    return stored, False
