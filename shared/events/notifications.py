"""`notification.created` on carecoord.notifications.v1 (keyed by the recipient), published
by care_team; the same body is what webhooks receive."""

from enum import StrEnum
from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from shared.events.envelope import CloudEvent
from shared.events.registry import type_name

NOTIFICATION_CREATED = type_name("notification.created")


class NotificationPriority(StrEnum):
    URGENT = "urgent"  # contraindicated conflicts, PHQ-9 item 9: pushed at once, escalated
    HIGH = "high"
    NORMAL = "normal"
    DIGEST = "digest"  # minor: in the inbox and the daily digest, never pushed

    @property
    def pushed(self) -> bool:
        return self is not NotificationPriority.DIGEST


class NotificationData(BaseModel):
    notification_id: UUID = Field(description="Stable per cause and recipient: dedupe by it")
    recipient_id: str
    seq: int = Field(description="The recipient's own sequence: gap-free, in order")
    patient_id: str
    kind: str = Field(
        description="medication_changed | conflict_flagged | conflict_acknowledged | "
        "conflict_resolved | medication_overuse | safety_alert | safety_event | "
        "phq9_worsening | headache_days_rising | joint_review_proposed | visit_changed | "
        "escalation"
    )
    priority: NotificationPriority
    title: str
    body: str
    cause_event_id: str = Field(description="The event that caused it")
    cause_type: str
    data: dict[str, Any] = Field(default_factory=dict)
    created_at: AwareDatetime
    escalation: int = Field(default=0, description="1: re-sent unacknowledged; 2: handed on")


class NotificationCreated(CloudEvent[NotificationData]):
    type: Literal["org.carecoord.notification.created.v1"] = "org.carecoord.notification.created.v1"
