from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class SchedulingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SCHEDULING_", env_file=".env", extra="ignore")

    service_name: ClassVar[str] = "scheduling"
    default_port: ClassVar[int] = 8002

    # visit.reminder_due goes out this long before a booked visit.
    reminder_lead_hours: float = Field(default=24.0, gt=0)
    # A major/contraindicated conflict unacknowledged this long leads to a joint review.
    joint_review_after_hours: float = Field(default=48.0, gt=0)
    # A proposal holds its time this long; then it expires (cancelled, time released).
    proposal_hold_hours: float = Field(default=72.0, gt=0)
    # Where a joint review is looked for: from `lead` after the trigger, `horizon` days on.
    joint_review_lead_hours: float = Field(default=2.0, ge=0)
    joint_review_horizon_days: int = Field(default=14, ge=1, le=90)
    # A follow-up after a preventive was started or changed: this window after the visit,
    # when a preventive's effect can be judged (weeks).
    follow_up_after_weeks: float = Field(default=6.0, ge=1)
    follow_up_before_weeks: float = Field(default=8.0, ge=1)
    # How often the background loops (reminders, expiries, due joint reviews) look.
    loop_interval_s: float = Field(default=30.0, gt=0)
