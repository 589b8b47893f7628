"""Visits: booking defaults, the status moves allowed, who a visit occupies. Pure: no I/O."""

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Self
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from shared.events.visits import Modality, VisitStatus, VisitType

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


class Transition(StrEnum):
    CONFIRM = "confirm"  # a proposal accepted: booked
    RESCHEDULE = "reschedule"
    CANCEL = "cancel"
    EXPIRE = "expire"  # a proposal's hold ran out
    COMPLETE = "complete"
    NO_SHOW = "no_show"


# FHIR Appointment statuses and the moves between them the product allows. Fulfilled,
# cancelled and no-show are final: a mistake there is a new visit, not an edit of history.
_NEXT: dict[VisitStatus, dict[Transition, VisitStatus]] = {
    VisitStatus.PROPOSED: {
        Transition.CONFIRM: VisitStatus.BOOKED,
        Transition.RESCHEDULE: VisitStatus.PROPOSED,
        Transition.CANCEL: VisitStatus.CANCELLED,
        Transition.EXPIRE: VisitStatus.CANCELLED,
    },
    VisitStatus.BOOKED: {
        Transition.RESCHEDULE: VisitStatus.BOOKED,
        Transition.CANCEL: VisitStatus.CANCELLED,
        Transition.COMPLETE: VisitStatus.FULFILLED,
        Transition.NO_SHOW: VisitStatus.NOSHOW,
    },
}
# Only a visit that has begun can have taken place, or been missed.
_AFTER_START = frozenset({Transition.COMPLETE, Transition.NO_SHOW})


class InvalidTransition(Exception):
    def __init__(self, status: VisitStatus, transition: Transition, why: str = "") -> None:
        self.status, self.transition = status, transition
        super().__init__(
            why or f"a {status.value} visit cannot {transition.value.replace('_', ' ')}"
        )


def next_status(
    status: VisitStatus, transition: Transition, *, starts_at: datetime, now: datetime
) -> VisitStatus:
    """The status after `transition`, or InvalidTransition saying why not."""
    found = _NEXT.get(status, {}).get(transition)
    if found is None:
        raise InvalidTransition(status, transition)
    if transition in _AFTER_START and now < starts_at:
        raise InvalidTransition(status, transition, "the visit has not started yet")
    return found


def holds_time(status: VisitStatus) -> bool:
    """Whether a visit in this status occupies its participants' time."""
    return status is not VisitStatus.CANCELLED


def participants(patient_id: str, clinician_ids: list[str]) -> list[str]:
    """The keys the no-double-booking constraint compares."""
    return [f"patient:{patient_id}", *(f"clinician:{c}" for c in clinician_ids)]
