"""`visit.*` on carecoord.visits.v1, published by the scheduling service."""

from enum import StrEnum
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from shared.events.envelope import CloudEvent
from shared.events.registry import type_name

VISIT_BOOKED = type_name("visit.booked")
VISIT_COMPLETED = type_name("visit.completed")


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


class VisitBooked(CloudEvent[VisitData]):
    type: Literal["org.carecoord.visit.booked.v1"] = "org.carecoord.visit.booked.v1"


class VisitCompletedData(VisitData):
    """A visit that took place (FHIR Appointment `fulfilled`)."""

    completed_at: AwareDatetime
    outcome_note: str | None = Field(default=None, max_length=2000)


class VisitCompleted(CloudEvent[VisitCompletedData]):
    type: Literal["org.carecoord.visit.completed.v1"] = "org.carecoord.visit.completed.v1"
