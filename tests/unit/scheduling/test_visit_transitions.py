"""The visit status moves (FHIR Appointment statuses) and who a visit occupies."""

from datetime import UTC, datetime, timedelta

import pytest

from services.scheduling.domain.visits import (
    InvalidTransition,
    Transition,
    holds_time,
    next_status,
    participants,
)
from shared.events.visits import VisitStatus

STARTS = datetime(2026, 12, 1, 9, tzinfo=UTC)
BEFORE, AFTER = STARTS - timedelta(minutes=1), STARTS + timedelta(minutes=1)


@pytest.mark.parametrize(
    ("status", "transition", "now", "expected"),
    [
        (VisitStatus.PROPOSED, Transition.CONFIRM, BEFORE, VisitStatus.BOOKED),
        (VisitStatus.PROPOSED, Transition.EXPIRE, BEFORE, VisitStatus.CANCELLED),
        (VisitStatus.PROPOSED, Transition.RESCHEDULE, BEFORE, VisitStatus.PROPOSED),
        (VisitStatus.BOOKED, Transition.RESCHEDULE, BEFORE, VisitStatus.BOOKED),
        (VisitStatus.BOOKED, Transition.CANCEL, BEFORE, VisitStatus.CANCELLED),
        (VisitStatus.BOOKED, Transition.COMPLETE, AFTER, VisitStatus.FULFILLED),
        (VisitStatus.BOOKED, Transition.NO_SHOW, STARTS, VisitStatus.NOSHOW),
    ],
)
def test_allowed_moves(
    status: VisitStatus, transition: Transition, now: datetime, expected: VisitStatus
) -> None:
    assert next_status(status, transition, starts_at=STARTS, now=now) is expected


@pytest.mark.parametrize(
    ("status", "transition", "now", "message"),
    [
        (VisitStatus.BOOKED, Transition.COMPLETE, BEFORE, "the visit has not started yet"),
        (VisitStatus.BOOKED, Transition.NO_SHOW, BEFORE, "the visit has not started yet"),
        (VisitStatus.BOOKED, Transition.CONFIRM, BEFORE, "a booked visit cannot confirm"),
        (VisitStatus.PROPOSED, Transition.COMPLETE, AFTER, "a proposed visit cannot complete"),
        (VisitStatus.FULFILLED, Transition.CANCEL, AFTER, "a fulfilled visit cannot cancel"),
        (VisitStatus.CANCELLED, Transition.RESCHEDULE, BEFORE, "a cancelled visit cannot"),
        (VisitStatus.NOSHOW, Transition.COMPLETE, AFTER, "a noshow visit cannot complete"),
        (VisitStatus.BOOKED, Transition.EXPIRE, BEFORE, "a booked visit cannot expire"),
    ],
)
def test_refused_moves_say_why(
    status: VisitStatus, transition: Transition, now: datetime, message: str
) -> None:
    with pytest.raises(InvalidTransition, match=message):
        next_status(status, transition, starts_at=STARTS, now=now)


def test_only_a_cancelled_visit_frees_its_time() -> None:
    assert [s for s in VisitStatus if not holds_time(s)] == [VisitStatus.CANCELLED]


def test_a_visit_occupies_its_patient_and_each_clinician() -> None:
    assert participants("p-1", ["dr-a", "dr-b"]) == [
        "patient:p-1",
        "clinician:dr-a",
        "clinician:dr-b",
    ]
