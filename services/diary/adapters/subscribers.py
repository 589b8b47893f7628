"""Kafka subscribers of the diary service."""

from typing import Any

from faststream.kafka.annotations import KafkaMessage

from services.diary.adapters import repository
from services.diary.medications import apply_prescription_event
from shared.db import Connection
from shared.events.care_team import MEMBER_ADDED, MEMBER_REMOVED, MemberData
from shared.events.envelope import CloudEvent
from shared.events.prescriptions import PrescriptionEvent
from shared.events.registry import Topic
from shared.events.visits import VISIT_COMPLETED, VisitCompletedData
from shared.inbox import Delivery, Inbox
from shared.runtime import ServiceRuntime

CARE_TEAM_CONSUMER = "diary.care_team"
PRESCRIPTIONS_CONSUMER = "diary.prescriptions"
VISITS_CONSUMER = "diary.visits"


def register_subscribers(runtime: ServiceRuntime) -> None:
    settings = runtime.settings

    @runtime.broker.subscriber(
        settings.topic(Topic.CARE_TEAM),
        **runtime.group_member("care_team"),
        title="diary.care_team",
        description="Keeps who is on each patient's care team (they may read the diary).",
    )
    async def on_care_team_event(event: CloudEvent[dict[str, Any]], message: KafkaMessage) -> None:
        # The topic also carries conflict events: only membership matters here.
        if event.type not in (MEMBER_ADDED, MEMBER_REMOVED):
            return
        member = MemberData.model_validate(event.data)

        async def effect(conn: Connection) -> None:
            await repository.set_member(
                conn,
                member.patient_id,
                member.clinician_id,
                member.role.value,
                present=event.type == MEMBER_ADDED,
            )

        await Inbox(runtime.pool, CARE_TEAM_CONSUMER).process_once(
            event.id, Delivery.of(message), effect
        )

    @runtime.broker.subscriber(
        settings.topic(Topic.PRESCRIPTIONS),
        **runtime.group_member("prescriptions"),
        title="diary.prescriptions",
        description="Keeps every prescriber's medication changes per patient: shown in the "
        "clinician summary, and used to judge whether a preventive's effect is its own.",
    )
    async def on_prescription_event(event: PrescriptionEvent, message: KafkaMessage) -> None:
        async def effect(conn: Connection) -> None:
            await apply_prescription_event(conn, event)

        await Inbox(runtime.pool, PRESCRIPTIONS_CONSUMER).process_once(
            event.id, Delivery.of(message), effect
        )

    @runtime.broker.subscriber(
        settings.topic(Topic.VISITS),
        **runtime.group_member("visits"),
        title="diary.visits",
        description="Keeps the visits that took place: rising headache days are judged "
        "against the last one.",
    )
    async def on_visit_event(event: CloudEvent[dict[str, Any]], message: KafkaMessage) -> None:
        if event.type != VISIT_COMPLETED:
            return  # bookings, reschedules and cancellations say nothing about a past visit
        visit = VisitCompletedData.model_validate(event.data)

        async def effect(conn: Connection) -> None:
            await repository.record_completed_visit(
                conn,
                visit.patient_id,
                visit.visit_id,
                starts_at=visit.starts_at,
                completed_at=visit.completed_at,
                clinician_ids=visit.clinician_ids,
            )

        await Inbox(runtime.pool, VISITS_CONSUMER).process_once(
            event.id, Delivery.of(message), effect
        )
