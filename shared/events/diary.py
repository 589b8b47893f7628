"""`diary.*` on carecoord.diary.v1, published by the diary service."""

from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from shared.events.envelope import CloudEvent
from shared.events.registry import type_name

ATTACK_RECORDED = type_name("diary.attack.recorded")


class AcuteMedicationTaken(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=200, description="Generic name")]
    dose: str | None = Field(default=None, max_length=100, examples=["50 mg"])
    taken_at: AwareDatetime


class AttackData(BaseModel):
    entry_id: UUID = Field(description="Client-chosen id; makes a retried POST idempotent")
    patient_id: str
    started_at: AwareDatetime
    ended_at: AwareDatetime | None = Field(default=None, description="None while ongoing")
    # IHS diary scale for a headache that is present: 1 mild, 2 moderate, 3 severe.
    intensity: int = Field(ge=1, le=3)
    medications: list[AcuteMedicationTaken] = Field(default_factory=list)
    recorded_at: AwareDatetime


class AttackRecorded(CloudEvent[AttackData]):
    type: Literal["org.carecoord.diary.attack.recorded.v1"] = (
        "org.carecoord.diary.attack.recorded.v1"
    )
