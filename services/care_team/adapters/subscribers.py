"""Kafka subscribers of the care-team service."""

from typing import Any

from faststream.kafka.annotations import KafkaMessage

from services.care_team.context import CareTeamContext
from services.care_team.diary_events import DIARY_CONSUMER, apply_diary_event
from services.care_team.prescriptions import PRESCRIPTIONS_CONSUMER, apply_prescription_event
from shared.db import Connection
from shared.events.envelope import CloudEvent
from shared.events.prescriptions import PrescriptionEvent
from shared.events.registry import Topic
from shared.inbox import Delivery, Inbox
from shared.runtime import ServiceRuntime


def register_subscribers(runtime: ServiceRuntime, ctx: CareTeamContext) -> None:
    settings = runtime.settings

    @runtime.broker.subscriber(
        settings.topic(Topic.PRESCRIPTIONS),
        group_id=runtime.consumer_group("prescriptions"),
        auto_offset_reset="earliest",  # a new group must not skip what was published before it
        title="care_team.prescriptions",
        description=(
            "Applies every prescriber's prescription events (ours and EHRs') to the "
            "medication list, then re-evaluates the patient's conflicts."
        ),
    )
    async def on_prescription_event(event: PrescriptionEvent, message: KafkaMessage) -> None:
        async def effect(conn: Connection) -> None:
            await apply_prescription_event(conn, ctx, event)

        await Inbox(runtime.pool, PRESCRIPTIONS_CONSUMER).process_once(
            event.id, Delivery.of(message), effect
        )

    @runtime.broker.subscriber(
        settings.topic(Topic.DIARY),
        group_id=runtime.consumer_group("diary"),
        auto_offset_reset="earliest",
        title="care_team.diary",
        description=(
            "Keeps the drugs the patient logged with the time taken (time-window rules, "
            "exposures nobody prescribed) and re-evaluates the patient's conflicts."
        ),
    )
    async def on_diary_event(event: CloudEvent[dict[str, Any]], message: KafkaMessage) -> None:
        async def effect(conn: Connection) -> None:
            await apply_diary_event(conn, ctx, event)

        await Inbox(runtime.pool, DIARY_CONSUMER).process_once(
            event.id, Delivery.of(message), effect
        )
