"""A headache attack as the patient records it. Pure: validation only, no I/O."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field, ValidationInfo, field_validator

from shared.events.diary import AcuteMedicationTaken

# Phones' clocks drift; an entry a few minutes "in the future" is still honest.
CLOCK_SKEW = timedelta(minutes=5)


class AttackEntry(BaseModel):
    entry_id: UUID = Field(description="Chosen by the client; a retried POST with it is a no-op")
    started_at: AwareDatetime
    ended_at: AwareDatetime | None = Field(default=None, description="Omit while ongoing")
    intensity: int = Field(ge=1, le=3, description="1 mild, 2 moderate, 3 severe (IHS scale)")
    medications: list[AcuteMedicationTaken] = Field(default_factory=list, max_length=50)

    @field_validator("started_at")
    @classmethod
    def _not_in_future(cls, started_at: datetime) -> datetime:
        if started_at > datetime.now(UTC) + CLOCK_SKEW:
            raise ValueError("must not be in the future")
        return started_at

    @field_validator("ended_at")
    @classmethod
    def _after_start(cls, ended_at: datetime | None, info: ValidationInfo) -> datetime | None:
        started_at = info.data.get("started_at")
        if ended_at is not None and started_at is not None and ended_at < started_at:
            raise ValueError("must not be before started_at")
        return ended_at


class EntryConflict(Exception):
    """The entry id is already used for different content."""
