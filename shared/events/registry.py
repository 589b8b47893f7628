"""The v1 event contract: topics, their keys, and the event types on each.

Names come from the design's contract table; `type_name("prescription.started")`
gives the full CloudEvents type `org.carecoord.prescription.started.v1`.
"""

from dataclasses import dataclass
from enum import StrEnum


class Topic(StrEnum):
    PRESCRIPTIONS = "carecoord.prescriptions.v1"
    DIARY = "carecoord.diary.v1"
    VISITS = "carecoord.visits.v1"
    CARE_TEAM = "carecoord.care_team.v1"
    NOTIFICATIONS = "carecoord.notifications.v1"


DEAD_LETTER_SUFFIX = ".dlq"


def dead_letter_topic(topic: str) -> str:
    return f"{topic}{DEAD_LETTER_SUFFIX}"


def type_name(short: str) -> str:
    return f"org.carecoord.{short}.v1"


@dataclass(frozen=True)
class TopicSpec:
    topic: Topic
    key: str  # what the Kafka key holds
    event_types: tuple[str, ...]


CONTRACT: tuple[TopicSpec, ...] = (
    TopicSpec(
        Topic.PRESCRIPTIONS,
        "patient id",
        ("prescription.started", "prescription.changed", "prescription.stopped"),
    ),
    TopicSpec(
        Topic.DIARY,
        "patient id",
        (
            "diary.attack.recorded",
            "diary.checkin.recorded",
            "diary.questionnaire.completed",
            "diary.entry.deleted",  # v1 addition: corrections re-send *.recorded, revision + 1
            "diary.alert.raised",
        ),
    ),
    TopicSpec(
        Topic.VISITS,
        "patient id",
        (
            "visit.booked",
            "visit.rescheduled",
            "visit.cancelled",
            "visit.completed",
            "visit.no_show",
            "joint_review.proposed",
            # v1 additions: a proposed follow-up (confirmed, it is `visit.booked`), and the
            # reminder the issue asks for, once per booked visit.
            "visit.proposed",
            "visit.reminder_due",
        ),
    ),
    TopicSpec(
        Topic.CARE_TEAM,
        "patient id",
        (
            "care_team.member_added",
            "care_team.member_removed",
            "medication_conflict.flagged",
            "medication_conflict.acknowledged",
            "medication_conflict.resolved",
        ),
    ),
    TopicSpec(Topic.NOTIFICATIONS, "clinician id", ("notification.created",)),
)

TOPIC_OF_TYPE: dict[str, Topic] = {
    type_name(short): spec.topic for spec in CONTRACT for short in spec.event_types
}


def patient_subject(patient_id: str) -> str:
    return f"patient/{patient_id}"
