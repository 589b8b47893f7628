"""`diary.*` on carecoord.diary.v1, published by the diary service.

Every entry has a client-chosen `entry_id` and a `revision`: a correction publishes
the entry's `*.recorded` event again with the next revision (consumers keep the
highest), a deletion publishes `diary.entry.deleted`. Times are the entry's own
(when the attack started, when the drug was taken), never the arrival time.
"""

import datetime as dt
from enum import StrEnum
from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from shared.events.envelope import CloudEvent
from shared.events.registry import type_name

ATTACK_RECORDED = type_name("diary.attack.recorded")
CHECKIN_RECORDED = type_name("diary.checkin.recorded")
QUESTIONNAIRE_COMPLETED = type_name("diary.questionnaire.completed")
ENTRY_DELETED = type_name("diary.entry.deleted")
ALERT_RAISED = type_name("diary.alert.raised")


class EntryType(StrEnum):
    ATTACK = "attack"
    CHECKIN = "checkin"
    QUESTIONNAIRE = "questionnaire"


class AcuteMedicationTaken(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="Generic or brand name")
    dose: str | None = Field(default=None, max_length=100, examples=["50 mg"])
    taken_at: AwareDatetime


class HeadacheLocation(StrEnum):
    UNILATERAL = "unilateral"
    BILATERAL = "bilateral"


class Relief(StrEnum):
    """Response 2 h after the first dose (IHS trial endpoints)."""

    NONE = "none"
    PARTIAL = "partial"  # headache relief: pain down to mild or none
    PAIN_FREE = "pain_free"


class AttackFeatures(BaseModel):
    """ICHD-3 features of the attack (clinical-kb §3.1); None means not answered."""

    location: HeadacheLocation | None = None
    pulsating: bool | None = None
    aggravated_by_activity: bool | None = None
    nausea: bool | None = None
    vomiting: bool | None = None
    photophobia: bool | None = None
    phonophobia: bool | None = None
    aura: bool | None = None
    aura_symptoms: list[str] = Field(default_factory=list, max_length=10)


class AttackData(BaseModel):
    entry_id: UUID = Field(description="Client-chosen id; makes a retried POST idempotent")
    patient_id: str
    revision: int = Field(default=1, ge=1)
    started_at: AwareDatetime
    ended_at: AwareDatetime | None = Field(default=None, description="None while ongoing")
    # IHS diary scale for a headache that is present: 1 mild, 2 moderate, 3 severe.
    intensity: int = Field(ge=1, le=3)
    features: AttackFeatures = Field(default_factory=AttackFeatures)
    triggers: list[str] = Field(default_factory=list, max_length=20)
    medications: list[AcuteMedicationTaken] = Field(default_factory=list)
    relief_at_2h: Relief | None = None
    recorded_at: AwareDatetime


class CheckinData(BaseModel):
    entry_id: UUID
    patient_id: str
    revision: int = Field(default=1, ge=1)
    date: dt.date = Field(description="The patient's local calendar day")
    mood: int | None = Field(default=None, ge=0, le=10, description="0 worst, 10 best")
    stress: int | None = Field(default=None, ge=0, le=10)
    sleep_hours: float | None = Field(default=None, ge=0, le=24)
    sleep_quality: int | None = Field(default=None, ge=0, le=10)
    menstruation: bool | None = None
    alcohol_units: float | None = Field(default=None, ge=0, le=100)
    skipped_meals: int | None = Field(default=None, ge=0, le=10)
    caffeine_mg: float | None = Field(default=None, ge=0, le=5000)
    recorded_at: AwareDatetime


class Instrument(StrEnum):
    PHQ9 = "phq9"
    GAD7 = "gad7"
    MIDAS = "midas"
    HIT6 = "hit6"


class QuestionnaireData(BaseModel):
    entry_id: UUID
    patient_id: str
    revision: int = Field(default=1, ge=1)
    instrument: Instrument
    completed_at: AwareDatetime
    answers: list[int | str] = Field(description="Item answers as given, in item order")
    total: int
    band: str
    flags: list[str] = Field(default_factory=list, description="e.g. phq9_item9_positive")
    recorded_at: AwareDatetime


class EntryDeletedData(BaseModel):
    entry_id: UUID
    patient_id: str
    entry_type: EntryType
    revision: int = Field(ge=1, description="The revision the deletion supersedes, plus one")
    deleted_at: AwareDatetime


class AttackRecorded(CloudEvent[AttackData]):
    type: Literal["org.carecoord.diary.attack.recorded.v1"] = (
        "org.carecoord.diary.attack.recorded.v1"
    )


class CheckinRecorded(CloudEvent[CheckinData]):
    type: Literal["org.carecoord.diary.checkin.recorded.v1"] = (
        "org.carecoord.diary.checkin.recorded.v1"
    )


class QuestionnaireCompleted(CloudEvent[QuestionnaireData]):
    type: Literal["org.carecoord.diary.questionnaire.completed.v1"] = (
        "org.carecoord.diary.questionnaire.completed.v1"
    )


class EntryDeleted(CloudEvent[EntryDeletedData]):
    type: Literal["org.carecoord.diary.entry.deleted.v1"] = "org.carecoord.diary.entry.deleted.v1"


class AlertPriority(StrEnum):
    HIGH = "high"  # e.g. PHQ-9 item 9: a same-day clinician review
    NORMAL = "normal"


class AlertData(BaseModel):
    alert_id: UUID
    patient_id: str
    kind: str = Field(
        description="medication_overuse_warning | medication_overuse | phq9_item9 | "
        "phq9_worsening | headache_days_rising"
    )
    priority: AlertPriority
    episode_key: str = Field(description="Raised once per episode; a new episode, a new alert")
    evidence: dict[str, Any] = Field(description="What triggered it (counts, days, scores)")
    raised_at: AwareDatetime


class AlertRaised(CloudEvent[AlertData]):
    type: Literal["org.carecoord.diary.alert.raised.v1"] = "org.carecoord.diary.alert.raised.v1"
