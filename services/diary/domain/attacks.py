"""A headache attack as the patient records it. Pure: validation only, no I/O."""

from datetime import UTC, datetime, timedelta

from pydantic import AwareDatetime, Field, ValidationInfo, field_validator

from services.diary.domain.entries import EntryBody
from shared.events.diary import AcuteMedicationTaken, AttackFeatures, Relief

# Phones' clocks drift; an entry a few minutes "in the future" is still honest.
CLOCK_SKEW = timedelta(minutes=5)


class AttackEntry(EntryBody):
    started_at: AwareDatetime
    ended_at: AwareDatetime | None = Field(default=None, description="Omit while ongoing")
    intensity: int = Field(ge=1, le=3, description="1 mild, 2 moderate, 3 severe (IHS scale)")
    features: AttackFeatures = Field(default_factory=AttackFeatures)
    triggers: list[str] = Field(default_factory=list, max_length=20)
    medications: list[AcuteMedicationTaken] = Field(default_factory=list, max_length=50)
    relief_at_2h: Relief | None = None

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

    @field_validator("medications")
    @classmethod
    def _taken_during_or_after_onset(
        cls, medications: list[AcuteMedicationTaken], info: ValidationInfo
    ) -> list[AcuteMedicationTaken]:
        started_at = info.data.get("started_at")
        for medication in medications:
            # A dose logged well before the attack began belongs to another attack.
            if started_at is not None and medication.taken_at < started_at - timedelta(hours=2):
                raise ValueError("taken_at is more than 2 hours before started_at")
        return medications
