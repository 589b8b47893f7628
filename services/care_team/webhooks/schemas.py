"""Bodies of the webhook subscription API."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, Field

from services.care_team.webhooks.endpoint_urls import MAX_URL_LENGTH
from services.care_team.webhooks.signing import SCHEME_DESCRIPTION


class WebhookIn(BaseModel):
    url: str = Field(
        max_length=MAX_URL_LENGTH,
        description="Where to POST notifications: http(s), https in production, no credentials",
        examples=["https://ehr.example.org/carecoord/notifications"],
    )
    description: str | None = Field(default=None, max_length=500)


class ServiceWebhookIn(WebhookIn):
    recipient_id: str = Field(
        min_length=1, max_length=200, description="The clinician whose notifications to send"
    )


class WebhookOut(BaseModel):
    subscription_id: UUID
    owner_id: str = Field(description="Who registered it")
    recipient_id: str = Field(description="Whose notifications it receives")
    url: str
    description: str | None
    active: bool
    created_at: datetime
    deactivated_at: datetime | None
    delivered_seq: int = Field(description="The recipient seq delivered (or dead-lettered) last")
    pending: int = Field(description="Deliveries waiting, in order")
    dead: int = Field(description="Deliveries given up after the retry window")


class WebhookCreated(WebhookOut):
    secret: str = Field(description="The HMAC key: shown only in this response; keep it safe")
    signature_scheme: str = SCHEME_DESCRIPTION


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"
    CANCELLED = "cancelled"  # still queued when the subscription was deactivated


class AttemptOut(BaseModel):
    attempt: int
    attempted_at: datetime
    status_code: int | None = Field(description="None: no HTTP answer (refused, timed out)")
    error: str | None
    duration_ms: float


class DeliveryOut(BaseModel):
    notification_id: UUID
    seq: int
    status: DeliveryStatus
    attempt_count: int
    next_attempt_at: datetime | None = Field(description="When pending: the next attempt")
    first_attempt_at: datetime | None
    finished_at: datetime | None
    attempts: list[AttemptOut]
