"""A daily check-in (also on headache-free days). Pure: validation only."""

import datetime as dt

from pydantic import Field

from services.diary.domain.entries import EntryBody


class CheckinEntry(EntryBody):
    date: dt.date = Field(description="The patient's local calendar day")
    mood: int | None = Field(default=None, ge=0, le=10, description="0 worst, 10 best")
    stress: int | None = Field(default=None, ge=0, le=10)
    sleep_hours: float | None = Field(default=None, ge=0, le=24)
    sleep_quality: int | None = Field(default=None, ge=0, le=10)
    menstruation: bool | None = None
    alcohol_units: float | None = Field(default=None, ge=0, le=100)
    skipped_meals: int | None = Field(default=None, ge=0, le=10)
    caffeine_mg: float | None = Field(default=None, ge=0, le=5000)
