"""Kafka subscribers of the scheduling service: who treats whom and the conflicts waiting
for acknowledgement (care_team), preventives started or changed (prescriptions), and
safety alerts (diary). Each effect is recorded with its event id in one transaction."""

from collections.abc import Awaitable, Callable
from typing import Any

from faststream.kafka.annotations import KafkaMessage

from services.scheduling import proposals
from services.scheduling.adapters import proposal_repository as pending
from services.scheduling.adapters import team_repository as team
from services.scheduling.context import SchedulingContext
from shared.clinical.preventive_drugs import preventive_of
from shared.db import Connection
from shared.events.care_team import (
    CONFLICT_ACKNOWLEDGED,
    CONFLICT_FLAGGED,
    CONFLICT_RESOLVED,
    MEMBER_ADDED,
    MEMBER_REMOVED,
    ConflictAcknowledgedData,
    ConflictFlaggedData,
    ConflictResolvedData,
    MemberData,
)
from shared.events.diary import ALERT_RAISED, AlertData, AlertPriority
from shared.events.envelope import CloudEvent
from shared.events.prescriptions import (
    PrescriberRole,
    PrescriptionEvent,
    PrescriptionStopped,
)
from shared.events.registry import Topic
from shared.events.visits import ReviewTrigger
from shared.inbox import Delivery, Inbox
from shared.runtime import ServiceRuntime

JOINT_REVIEW_SEVERITIES = frozenset({"major", "contraindicated"})
Effect = Callable[[Connection], Awaitable[None]]


def care_team_effect(ctx: SchedulingContext, event: CloudEvent[dict[str, Any]]) -> Effect | None:
    if event.type in (MEMBER_ADDED, MEMBER_REMOVED):
        member = MemberData.model_validate(event.data)

        async def membership(conn: Connection) -> None:
            present = event.type == MEMBER_ADDED
            role = member.role.value
            await team.set_member(
                conn, member.patient_id, member.clinician_id, role, present=present
            )

        return membership
    if event.type == CONFLICT_FLAGGED:
        flagged = ConflictFlaggedData.model_validate(event.data)
        if flagged.severity.value not in JOINT_REVIEW_SEVERITIES:
            return None

        async def waiting(conn: Connection) -> None:
            await pending.record_conflict(
                conn, flagged.conflict_id, flagged.patient_id, flagged.prescribers,
                flagged.severity.value, flagged.flagged_at,
                flagged.flagged_at + ctx.joint_review_after,
            )  # fmt: skip

        return waiting
    if event.type in (CONFLICT_ACKNOWLEDGED, CONFLICT_RESOLVED):
        if event.type == CONFLICT_ACKNOWLEDGED:
            acked = ConflictAcknowledgedData.model_validate(event.data)
            conflict_id, at = acked.conflict_id, acked.acknowledged_at
        else:
            resolved = ConflictResolvedData.model_validate(event.data)
            conflict_id, at = resolved.conflict_id, resolved.resolved_at

        async def settled(conn: Connection) -> None:
            await pending.settle_conflict(conn, conflict_id, at)

        return settled
    return None


def prescription_effect(ctx: SchedulingContext, event: PrescriptionEvent) -> Effect | None:
    if isinstance(event, PrescriptionStopped):
        return None  # a stop is no new preventive to judge
    data = event.data
    if data.prescriber.role is PrescriberRole.SELF_REPORTED:
        return None
    drug = preventive_of(data.medication.name, data.frequency)
    if drug is None:
        return None

    async def preventive(conn: Connection) -> None:
        await pending.record_preventive_change(
            conn, event.id, data.patient_id, data.prescriber.id, drug.ingredient,
            data.effective_at,
        )  # fmt: skip
        await proposals.follow_ups_for_preventive(
            conn, ctx, data.patient_id, data.prescriber.id, data.effective_at
        )

    return preventive


def diary_effect(ctx: SchedulingContext, event: CloudEvent[dict[str, Any]]) -> Effect | None:
    if event.type != ALERT_RAISED:
        return None
    alert = AlertData.model_validate(event.data)
    if alert.priority is not AlertPriority.HIGH:
        return None  # the safety alerts (PHQ-9 item 9) only

    async def joint_review(conn: Connection) -> None:
        clinicians = await proposals.joint_reviewers(conn, alert.patient_id)
        if clinicians is None:
            return  # not both a headache specialist and a psychiatrist on the team
        await proposals.propose_joint_review(
            conn, ctx, alert.patient_id, trigger=ReviewTrigger.SAFETY_ALERT,
            trigger_id=str(alert.alert_id), clinicians=clinicians,
        )  # fmt: skip

    return joint_review


def register_subscribers(runtime: ServiceRuntime, ctx: SchedulingContext) -> None:
    settings = runtime.settings

    async def once(consumer: str, event_id: str, message: KafkaMessage, effect: Effect) -> None:
        await Inbox(runtime.pool, consumer).process_once(event_id, Delivery.of(message), effect)

    @runtime.broker.subscriber(
        settings.topic(Topic.CARE_TEAM),
        **runtime.group_member("care_team"),
        title="scheduling.care_team",
        description="Care-team members (who may see visits, who meets at a joint review) and "
        "major/contraindicated conflicts awaiting acknowledgement.",
    )
    async def on_care_team_event(event: CloudEvent[dict[str, Any]], message: KafkaMessage) -> None:
        effect = care_team_effect(ctx, event)
        if effect is not None:
            await once("scheduling.care_team", event.id, message, effect)

    @runtime.broker.subscriber(
        settings.topic(Topic.PRESCRIPTIONS),
        **runtime.group_member("prescriptions"),
        title="scheduling.prescriptions",
        description="Preventives started or changed: a follow-up after the visit, 6-8 weeks on.",
    )
    async def on_prescription_event(event: PrescriptionEvent, message: KafkaMessage) -> None:
        effect = prescription_effect(ctx, event)
        if effect is not None:
            await once("scheduling.prescriptions", event.id, message, effect)

    @runtime.broker.subscriber(
        settings.topic(Topic.DIARY),
        **runtime.group_member("diary"),
        title="scheduling.diary",
        description="Safety alerts: a joint review of both prescribers and the patient.",
    )
    async def on_diary_event(event: CloudEvent[dict[str, Any]], message: KafkaMessage) -> None:
        effect = diary_effect(ctx, event)
        if effect is not None:
            await once("scheduling.diary", event.id, message, effect)
