"""Kafka subscribers of the diary service."""

from typing import Any

from faststream.kafka.annotations import KafkaMessage

from services.diary.adapters import repository
from shared.db import Connection
from shared.events.care_team import MEMBER_ADDED, MEMBER_REMOVED, MemberData
from shared.events.envelope import CloudEvent
from shared.events.registry import Topic
from shared.inbox import Delivery, Inbox
from shared.runtime import ServiceRuntime

CARE_TEAM_CONSUMER = "diary.care_team"


def register_subscribers(runtime: ServiceRuntime) -> None:
    settings = runtime.settings

    @runtime.broker.subscriber(
        settings.topic(Topic.CARE_TEAM),
        group_id=runtime.consumer_group("care_team"),
        auto_offset_reset="earliest",
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
