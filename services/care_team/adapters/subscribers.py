"""Kafka subscribers of the care-team service."""

from faststream.kafka.annotations import KafkaMessage

from services.care_team.prescriptions import apply_prescription_event
from shared.events.prescriptions import PrescriptionEvent
from shared.events.registry import Topic
from shared.inbox import Delivery, Inbox
from shared.runtime import ServiceRuntime

PRESCRIPTIONS_CONSUMER = "care_team.prescriptions"


def register_subscribers(runtime: ServiceRuntime) -> None:
    settings = runtime.settings

    @runtime.broker.subscriber(
        settings.topic(Topic.PRESCRIPTIONS),
        group_id=settings.kafka_consumer_group,
        auto_offset_reset="earliest",  # a new group must not skip what was published before it
        title="care_team.prescriptions",
        description="Applies every prescriber's prescription events to the medication list.",
    )
    async def on_prescription_event(event: PrescriptionEvent, message: KafkaMessage) -> None:
        await Inbox(runtime.pool, PRESCRIPTIONS_CONSUMER).process_once(
            event.id, Delivery.of(message), lambda conn: apply_prescription_event(conn, event)
        )
