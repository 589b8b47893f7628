"""What the care-team use cases need besides a connection: built once by the composition root."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from services.care_team.domain.engine import ConflictEngine
from shared.events.envelope import utc_now

Clock = Callable[[], datetime]
SOURCE = "/carecoord/care-team"


@dataclass(frozen=True)
class CareTeamContext:
    engine: ConflictEngine
    care_team_topic: str
    prescriptions_topic: str
    clock: Clock = utc_now
    notifications_topic: str = "carecoord.notifications.v1"
    notify_channel: str = "care_team_notifications"  # LISTEN/NOTIFY: wakes live streams
