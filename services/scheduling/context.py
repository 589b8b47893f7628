"""What the scheduling use cases need besides a connection: built once by the composition root."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.scheduling.settings import SchedulingSettings
from shared.events.envelope import utc_now
from shared.events.registry import Topic

Clock = Callable[[], datetime]
SOURCE = "/carecoord/scheduling"


@dataclass(frozen=True)
class SchedulingContext:
    visits_topic: str
    reminder_lead: timedelta
    joint_review_after: timedelta
    proposal_hold: timedelta
    joint_review_lead: timedelta
    joint_review_horizon: timedelta
    follow_up_window: tuple[timedelta, timedelta]
    clock: Clock = utc_now

    @classmethod
    def of(cls, settings: SchedulingSettings, clock: Clock = utc_now) -> "SchedulingContext":
        return cls(
            visits_topic=settings.topic(Topic.VISITS),
            reminder_lead=timedelta(hours=settings.reminder_lead_hours),
            joint_review_after=timedelta(hours=settings.joint_review_after_hours),
            proposal_hold=timedelta(hours=settings.proposal_hold_hours),
            joint_review_lead=timedelta(hours=settings.joint_review_lead_hours),
            joint_review_horizon=timedelta(days=settings.joint_review_horizon_days),
            follow_up_window=(
                timedelta(weeks=settings.follow_up_after_weeks),
                timedelta(weeks=settings.follow_up_before_weeks),
            ),
            clock=clock,
        )
