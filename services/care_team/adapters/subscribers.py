"""Kafka subscribers of the care-team service."""

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from faststream.kafka.annotations import KafkaMessage

from services.care_team import notification_routing as notifications
from services.care_team.context import CareTeamContext
from services.care_team.diary_events import DIARY_CONSUMER, apply_diary_event
from services.care_team.prescriptions import (
    PRESCRIPTIONS_CONSUMER,
    apply_prescription_events,
    decode_prescription_event,
)
from shared.batch_inbox import BatchInbox
from shared.db import Connection
from shared.events.envelope import CloudEvent
from shared.events.registry import Topic
from shared.inbox import Delivery, Inbox
from shared.runtime import ServiceRuntime

Effect = Callable[[Connection], Awaitable[None]]
Handler = TypeVar("Handler", bound=Callable[..., Awaitable[None]])


def register_subscribers(
    runtime: ServiceRuntime, ctx: CareTeamContext, *, prescription_consumers: int = 1
) -> None:
    settings = runtime.settings

    prescription_batches = BatchInbox(
        pool_of=lambda: runtime.pool,
        consumer=PRESCRIPTIONS_CONSUMER,
        decode=decode_prescription_event,
        event_id=lambda event: event.id,
        apply=lambda conn, events: apply_prescription_events(conn, ctx, events),
        dead_letters=runtime.dead_letters,
        policy=runtime.retry_policy,
    )

    async def on_prescription_events(message: KafkaMessage) -> None:
        records = message.raw_message
        await prescription_batches.process(records if isinstance(records, tuple) else (records,))

    for index in range(prescription_consumers):  # each its own consumer in one group
        runtime.broker.subscriber(
            settings.topic(Topic.PRESCRIPTIONS),
            **runtime.group_member("prescriptions"),
            batch=True,
            max_records=settings.consumer_batch_max_records,
            batch_timeout_ms=settings.consumer_batch_timeout_ms,
            title="care_team.prescriptions",
            include_in_schema=index == 0,  # one channel in the AsyncAPI document
            description=(
                "Applies every prescriber's prescription events (ours and EHRs') to the "
                "medication list, then re-evaluates the patient's conflicts; a batch of "
                "records per transaction."
            ),
        )(on_prescription_events)

    @runtime.broker.subscriber(
        settings.topic(Topic.DIARY),
        **runtime.group_member("diary"),
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

    register_notification_subscribers(runtime, ctx)


def register_notification_subscribers(runtime: ServiceRuntime, ctx: CareTeamContext) -> None:
    """Notifications for other services' events (care_team's own are routed in the transaction
    that makes them): their own consumer groups, so a slow or failing notification never holds
    up the medication list, and replaying them only re-finds what exists."""
    settings = runtime.settings
    consumer = notifications.NOTIFICATIONS_CONSUMER

    async def once(topic: Topic, event_id: str, message: KafkaMessage, effect: Effect) -> None:
        name = f"{consumer}.{topic.name.lower()}"
        await Inbox(runtime.pool, name).process_once(event_id, Delivery.of(message), effect)

    def subscriber(topic: Topic, description: str) -> Callable[[Handler], Handler]:
        decorator = runtime.broker.subscriber(
            settings.topic(topic),
            **runtime.group_member(f"notifications-{topic.name.lower()}"),
            title=f"{consumer}.{topic.name.lower()}",
            description=description,
        )
        return cast(Callable[[Handler], Handler], decorator)

    @subscriber(Topic.DIARY, "Diary alerts: overuse, PHQ-9 item 9 (urgent), worsening, rising.")
    async def notify_diary(event: CloudEvent[dict[str, Any]], message: KafkaMessage) -> None:
        async def effect(conn: Connection) -> None:
            await notifications.on_diary(conn, ctx, event)

        await once(Topic.DIARY, event.id, message, effect)

    @subscriber(Topic.VISITS, "Joint reviews and visit changes: the clinicians taking part.")
    async def notify_visit(event: CloudEvent[dict[str, Any]], message: KafkaMessage) -> None:
        async def effect(conn: Connection) -> None:
            await notifications.on_visit(conn, ctx, event)

        await once(Topic.VISITS, event.id, message, effect)
