"""Which channels push a notification, and when (pure: priority, preferences and now in).

The inbox always stores every notification; this decides only the pushes (live stream,
webhooks, Kafka). The decision is made once, when the notification is stored:

- `urgent` is pushed at once on every chosen channel: quiet hours and the digest never hold
  it back;
- `digest` priority (and `normal`, when the clinician asked for that) is never pushed by
  itself: it waits for the clinician's daily digest, one notification at their digest hour;
- other items arriving during quiet hours are held: not pushed, and listed in one summary
  notification pushed when the quiet hours end.

Holding items back as one summary, rather than pushing each late, keeps every channel in the
recipient's seq order (a late push would arrive behind newer ones).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5
from zoneinfo import ZoneInfo

from shared.events.notifications import NotificationPriority as Priority

PUSH_CHANNELS = ("stream", "webhook", "kafka")
_NAMESPACE = uuid5(NAMESPACE_URL, "https://carecoord.example/notification-summaries")


class Held(StrEnum):
    DIGEST = "digest"  # waits for the daily digest
    QUIET_HOURS = "quiet_hours"  # waits for the end of quiet hours


@dataclass(frozen=True)
class QuietHours:
    start: time  # local, in the preferences' zone; may be later than end (crosses midnight)
    end: time


@dataclass(frozen=True)
class Preferences:
    channels: frozenset[str] = frozenset(PUSH_CHANNELS)
    time_zone: str = "UTC"
    digest_hour: int = 8
    quiet_hours: QuietHours | None = None
    normal_in_digest: bool = False

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


DEFAULT_PREFERENCES = Preferences()


@dataclass(frozen=True)
class Delivery:
    channels: frozenset[str]  # pushed now on these (empty: not pushed by itself)
    held: Held | None = None
    held_until: datetime | None = None  # quiet hours: when the summary goes out


def plan_delivery(priority: Priority, prefs: Preferences, now: datetime) -> Delivery:
    channels = prefs.channels & frozenset(PUSH_CHANNELS)
    if priority is Priority.URGENT:
        return Delivery(channels)
    if priority is Priority.DIGEST or (priority is Priority.NORMAL and prefs.normal_in_digest):
        return Delivery(frozenset(), Held.DIGEST)
    quiet_until = quiet_hours_end(prefs, now)
    if quiet_until is not None:
        return Delivery(frozenset(), Held.QUIET_HOURS, quiet_until)
    return Delivery(channels)


def quiet_hours_end(prefs: Preferences, now: datetime) -> datetime | None:
    """When the quiet hours `now` falls in end (UTC), or None when `now` is not quiet."""
    quiet = prefs.quiet_hours
    if quiet is None or quiet.start == quiet.end:
        return None
    local = now.astimezone(prefs.zone)
    clock = local.time().replace(tzinfo=None)
    if quiet.start < quiet.end:
        inside = quiet.start <= clock < quiet.end
    else:  # crosses midnight: 22:00-07:00 is quiet from 22:00 on, and until 07:00
        inside = clock >= quiet.start or clock < quiet.end
    if not inside:
        return None
    end_day = local.date() if clock < quiet.end else local.date() + timedelta(days=1)
    return _instant(end_day, quiet.end, prefs.zone)


def latest_digest(prefs: Preferences, now: datetime) -> tuple[date, datetime]:
    """The clinician's most recent digest time at or before `now`: (local date, instant)."""
    local = now.astimezone(prefs.zone)
    day = local.date()
    instant = _instant(day, time(prefs.digest_hour), prefs.zone)
    if instant > now:
        day -= timedelta(days=1)
        instant = _instant(day, time(prefs.digest_hour), prefs.zone)
    return day, instant


def digest_id(clinician_id: str, local_day: date) -> UUID:
    """One digest per clinician and local date, however often the loop runs."""
    return uuid5(_NAMESPACE, f"{clinician_id}|digest|{local_day.isoformat()}")


def quiet_summary_id(clinician_id: str, held_until: datetime) -> UUID:
    return uuid5(_NAMESPACE, f"{clinician_id}|quiet_hours|{held_until.astimezone(UTC).isoformat()}")


def _instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A local wall time as UTC. A time skipped by a DST jump is read with the offset before
    the jump (02:30 on a spring-forward night is 03:30 summer time); a repeated one is the
    first occurrence."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
