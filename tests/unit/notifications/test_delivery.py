"""Which channels push a notification, and when: preferences, quiet hours, digests."""

from datetime import UTC, date, datetime, time

import pytest

from services.care_team.domain.delivery import (
    Delivery,
    Held,
    Preferences,
    QuietHours,
    digest_id,
    latest_digest,
    plan_delivery,
    quiet_hours_end,
)
from shared.events.notifications import NotificationPriority as Priority

ALL = frozenset({"stream", "webhook", "kafka"})
OSLO_NIGHTS = Preferences(time_zone="Europe/Oslo", quiet_hours=QuietHours(time(22), time(7)))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_by_default_everything_but_digest_items_is_pushed_on_every_channel() -> None:
    now = utc(2026, 11, 2, 3)
    for priority in (Priority.URGENT, Priority.HIGH, Priority.NORMAL):
        assert plan_delivery(priority, Preferences(), now) == Delivery(ALL)
    assert plan_delivery(Priority.DIGEST, Preferences(), now) == Delivery(frozenset(), Held.DIGEST)


def test_only_the_chosen_channels_push() -> None:
    prefs = Preferences(channels=frozenset({"webhook"}))
    assert plan_delivery(Priority.HIGH, prefs, utc(2026, 11, 2, 12)).channels == {"webhook"}
    assert plan_delivery(Priority.URGENT, prefs, utc(2026, 11, 2, 12)).channels == {"webhook"}


def test_normal_items_go_to_the_digest_when_asked_but_high_and_urgent_do_not() -> None:
    prefs = Preferences(normal_in_digest=True)
    now = utc(2026, 11, 2, 12)
    assert plan_delivery(Priority.NORMAL, prefs, now) == Delivery(frozenset(), Held.DIGEST)
    assert plan_delivery(Priority.HIGH, prefs, now) == Delivery(ALL)
    assert plan_delivery(Priority.URGENT, prefs, now) == Delivery(ALL)


@pytest.mark.parametrize(
    ("now", "until"),
    [
        (utc(2026, 11, 2, 21, 30), utc(2026, 11, 3, 6)),  # 22:30 Oslo (CET): until 07:00 tomorrow
        (utc(2026, 11, 2, 2), utc(2026, 11, 2, 6)),  # 03:00 Oslo: until 07:00 today
        (utc(2026, 11, 2, 5, 59), utc(2026, 11, 2, 6)),  # 06:59
    ],
)
def test_quiet_hours_across_midnight_hold_non_urgent_items_until_they_end(
    now: datetime, until: datetime
) -> None:
    assert plan_delivery(Priority.HIGH, OSLO_NIGHTS, now) == Delivery(
        frozenset(), Held.QUIET_HOURS, until
    )


@pytest.mark.parametrize(
    "now", [utc(2026, 11, 2, 6), utc(2026, 11, 2, 12), utc(2026, 11, 2, 20, 59)]
)
def test_outside_quiet_hours_nothing_is_held(now: datetime) -> None:
    assert quiet_hours_end(OSLO_NIGHTS, now) is None
    assert plan_delivery(Priority.NORMAL, OSLO_NIGHTS, now) == Delivery(ALL)


def test_urgent_is_never_held_by_quiet_hours() -> None:
    now = utc(2026, 11, 2, 2)  # 03:00 in Oslo, deep in quiet hours
    assert quiet_hours_end(OSLO_NIGHTS, now) is not None
    assert plan_delivery(Priority.URGENT, OSLO_NIGHTS, now) == Delivery(ALL)


def test_quiet_hours_within_one_day() -> None:
    lunch = Preferences(time_zone="America/New_York", quiet_hours=QuietHours(time(12), time(13)))
    assert quiet_hours_end(lunch, utc(2026, 7, 1, 16, 30)) == utc(2026, 7, 1, 17)  # EDT
    assert quiet_hours_end(lunch, utc(2026, 7, 1, 17)) is None
    assert quiet_hours_end(lunch, utc(2026, 7, 1, 15, 59)) is None


def test_quiet_hours_end_in_the_zone_s_time_after_the_clocks_go_back() -> None:
    # Oslo leaves summer time at 03:00 on 25 October 2026: 07:00 that morning is 06:00 UTC,
    # not 05:00 as the evening's offset would say.
    evening = utc(2026, 10, 24, 20, 30)  # 22:30 CEST
    assert quiet_hours_end(OSLO_NIGHTS, evening) == utc(2026, 10, 25, 6)
    assert quiet_hours_end(OSLO_NIGHTS, utc(2026, 10, 25, 5, 30)) == utc(2026, 10, 25, 6)
    assert quiet_hours_end(OSLO_NIGHTS, utc(2026, 10, 25, 6)) is None


def test_quiet_hours_when_the_clocks_go_forward() -> None:
    # 29 March 2026: 02:00 CET becomes 03:00 CEST; 07:00 that morning is 05:00 UTC.
    assert quiet_hours_end(OSLO_NIGHTS, utc(2026, 3, 28, 23)) == utc(2026, 3, 29, 5)
    skipped = Preferences(time_zone="Europe/Oslo", quiet_hours=QuietHours(time(23), time(2, 30)))
    # 02:30 does not exist that night: read with the offset before the jump, 03:30 CEST.
    assert quiet_hours_end(skipped, utc(2026, 3, 28, 23, 30)) == utc(2026, 3, 29, 1, 30)


def test_the_latest_digest_is_today_s_after_the_hour_else_yesterday_s() -> None:
    prefs = Preferences(time_zone="Europe/Oslo", digest_hour=8)
    assert latest_digest(prefs, utc(2026, 11, 2, 7)) == (date(2026, 11, 2), utc(2026, 11, 2, 7))
    assert latest_digest(prefs, utc(2026, 11, 2, 6, 59)) == (
        date(2026, 11, 1),
        utc(2026, 11, 1, 7),
    )
    summer = latest_digest(prefs, utc(2026, 7, 1, 6))  # 08:00 CEST
    assert summer == (date(2026, 7, 1), utc(2026, 7, 1, 6))


def test_the_digest_date_is_the_clinician_s_local_date() -> None:
    tokyo = Preferences(time_zone="Asia/Tokyo", digest_hour=7)
    # 22:30 UTC on 1 November is 07:30 on 2 November in Tokyo.
    day, _ = latest_digest(tokyo, utc(2026, 11, 1, 22, 30))
    assert day == date(2026, 11, 2)


def test_digest_ids_are_one_per_clinician_and_local_date() -> None:
    assert digest_id("dr-a", date(2026, 11, 2)) == digest_id("dr-a", date(2026, 11, 2))
    assert digest_id("dr-a", date(2026, 11, 2)) != digest_id("dr-a", date(2026, 11, 3))
    assert digest_id("dr-a", date(2026, 11, 2)) != digest_id("dr-b", date(2026, 11, 2))
