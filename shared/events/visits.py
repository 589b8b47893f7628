"""`visit.*` on carecoord.visits.v1, published by the scheduling service."""

from enum import StrEnum
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from shared.events.envelope import CloudEvent
from shared.events.registry import type_name

VISIT_BOOKED = type_name("visit.booked")
VISIT_PROPOSED = type_name("visit.proposed")
VISIT_RESCHEDULED = type_name("visit.rescheduled")
VISIT_CANCELLED = type_name("visit.cancelled")
VISIT_COMPLETED = type_name("visit.completed")
VISIT_NO_SHOW = type_name("visit.no_show")
VISIT_REMINDER_DUE = type_name("visit.reminder_due")
JOINT_REVIEW_PROPOSED = type_name("joint_review.proposed")


class VisitType(StrEnum):
    INITIAL_CONSULTATION = "initial_consultation"
    FOLLOW_UP = "follow_up"
    JOINT_REVIEW = "joint_review"


class Modality(StrEnum):
    VIDEO = "video"
    IN_PERSON = "in_person"


class VisitStatus(StrEnum):
    """FHIR Appointment.status values the product uses."""

    PROPOSED = "proposed"
    BOOKED = "booked"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    NOSHOW = "noshow"


class VisitData(BaseModel):
    visit_id: UUID
    patient_id: str
    clinician_ids: list[str] = Field(min_length=1)
    type: VisitType
    modality: Modality
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    status: VisitStatus
    expires_at: AwareDatetime | None = Field(
        default=None, description="A proposal's hold on the time ends then, unless confirmed"
    )


class VisitBooked(CloudEvent[VisitData]):
    type: Literal["org.carecoord.visit.booked.v1"] = "org.carecoord.visit.booked.v1"


class VisitCompletedData(VisitData):
    """A visit that took place (FHIR Appointment `fulfilled`)."""

    completed_at: AwareDatetime
    outcome_note: str | None = Field(default=None, max_length=2000)


class VisitCompleted(CloudEvent[VisitCompletedData]):
    type: Literal["org.carecoord.visit.completed.v1"] = "org.carecoord.visit.completed.v1"


class VisitProposed(CloudEvent[VisitData]):
    """A follow-up proposed after a preventive was started or changed at a visit."""

    type: Literal["org.carecoord.visit.proposed.v1"] = "org.carecoord.visit.proposed.v1"


class VisitRescheduledData(VisitData):
    previous_starts_at: AwareDatetime
    previous_ends_at: AwareDatetime


class VisitRescheduled(CloudEvent[VisitRescheduledData]):
    type: Literal["org.carecoord.visit.rescheduled.v1"] = "org.carecoord.visit.rescheduled.v1"


class VisitCancelledData(VisitData):
    reason: str = Field(description="Given by whoever cancelled; `expired` for a lapsed hold")
    cancelled_by: str


class VisitCancelled(CloudEvent[VisitCancelledData]):
    type: Literal["org.carecoord.visit.cancelled.v1"] = "org.carecoord.visit.cancelled.v1"


class VisitNoShow(CloudEvent[VisitData]):
    type: Literal["org.carecoord.visit.no_show.v1"] = "org.carecoord.visit.no_show.v1"


class VisitReminderDue(CloudEvent[VisitData]):
    """Sent once per booked visit, a configurable time (default 24 h) before it."""

    type: Literal["org.carecoord.visit.reminder_due.v1"] = "org.carecoord.visit.reminder_due.v1"


class ReviewTrigger(StrEnum):
    CONFLICT_UNACKNOWLEDGED = "conflict_unacknowledged"
    SAFETY_ALERT = "safety_alert"


class JointReviewProposedData(VisitData):
    trigger: ReviewTrigger
    trigger_id: str = Field(description="The conflict id or diary alert id behind it")


class JointReviewProposed(CloudEvent[JointReviewProposedData]):
    type: Literal["org.carecoord.joint_review.proposed.v1"] = (
        "org.carecoord.joint_review.proposed.v1"
    )
