"""Booking a visit: defaults and rules. Pure: no I/O."""

from datetime import timedelta
from typing import Self
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from shared.events.visits import Modality, VisitType

DEFAULT_DURATION = {
    VisitType.INITIAL_CONSULTATION: timedelta(minutes=60),
    VisitType.FOLLOW_UP: timedelta(minutes=30),
    VisitType.JOINT_REVIEW: timedelta(minutes=30),
}


class VisitRequest(BaseModel):
    visit_id: UUID = Field(
        default_factory=uuid4, description="Optional; a client-chosen id makes a retry safe"
    )
    patient_id: str = Field(min_length=1, max_length=200)
    clinician_ids: list[str] = Field(min_length=1, max_length=2)
    type: VisitType
    modality: Modality = Modality.VIDEO
    starts_at: AwareDatetime
    duration_minutes: int | None = Field(default=None, ge=5, le=240)

    @model_validator(mode="after")
    def _joint_review_needs_two_clinicians(self) -> Self:
        wanted = 2 if self.type is VisitType.JOINT_REVIEW else 1
        if len(set(self.clinician_ids)) != wanted:
            raise ValueError(
                f"clinician_ids: a {self.type.value} has {wanted} distinct clinician(s)"
            )
        return self

    @property
    def duration(self) -> timedelta:
        if self.duration_minutes is not None:
            return timedelta(minutes=self.duration_minutes)
        return DEFAULT_DURATION[self.type]


class VisitIdTaken(Exception):
    """The visit id is already used for a different visit."""
