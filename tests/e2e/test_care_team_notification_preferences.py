"""Notification preferences over HTTP, and what they do: the daily digest, quiet hours."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from services.care_team.app import create_app
from services.care_team.context import CareTeamContext
from services.care_team.digests import send_due_summaries
from services.care_team.domain.routing import Route
from services.care_team.notifying import notify
from services.care_team.settings import CareTeamSettings
from shared.events.notifications import NotificationPriority as Priority
from shared.events.registry import Topic
from tests.support.clock import TestClock
from tests.support.ids import unique
from tests.support.infrastructure import Endpoints
from tests.support.kafka_probe import TopicProbe, events_with
from tests.support.services import RunningService, running_service
from tests.support.tokens import clinician_auth, patient_auth, service_auth

MINE = "/clinicians/me/notification-preferences"
# 06:00 in Oslo (CET) on a Monday: before an 08:00 digest, inside 22:00-07:00 quiet hours.
EARLY = datetime(2026, 11, 2, 5, tzinfo=UTC)
OSLO = {"time_zone": "Europe/Oslo", "digest_hour": 8, "channels": ["stream", "kafka"]}


@pytest.fixture
def clock() -> TestClock:
    clock = TestClock()
    clock.set(EARLY)
    return clock


@pytest.fixture
async def care_team_at(infra: Endpoints, clock: TestClock) -> AsyncIterator[RunningService]:
    async with running_service(
        create_app, CareTeamSettings, infra, app_kwargs={"clock": clock},
        notification_loop_interval_s=3600,  # the test runs the digest passes itself
    ) as service:  # fmt: skip
        yield service


def ctx(service: RunningService) -> CareTeamContext:
    context: CareTeamContext = service.app.state.care_team
    return context


async def send(service: RunningService, recipient: str, priority: Priority, title: str) -> str:
    """A notification routed to `recipient` (as the routing consumers store them)."""
    cause = unique("cause-")
    async with service.runtime.pool.acquire() as conn, conn.transaction():
        [stored] = await notify(
            conn, ctx(service), [Route(recipient, "conflict_flagged", priority, title, "...")],
            patient_id="p-17", cause_event_id=cause, cause_type="test",
        )  # fmt: skip
    return str(stored.notification_id)


async def rows(service: RunningService, recipient: str) -> list[asyncpg.Record]:
    async with service.runtime.pool.acquire() as conn:
        return await conn.fetch(
            """SELECT notification_id::text AS id, kind, priority, title, body, push_channels,
                      held, summarized_in::text AS summarized_in
               FROM notifications WHERE recipient_id = $1 ORDER BY seq""",
            recipient,
        )


async def test_preferences_round_trip_and_defaults(care_team_at: RunningService) -> None:
    http, me = care_team_at.http, unique("dr-")
    default = await http.get(MINE, headers=clinician_auth(me))
    assert default.status_code == 200, default.text
    assert default.json() | {"updated_at": None} == {
        "clinician_id": me, "channels": ["kafka", "stream", "webhook"], "time_zone": "UTC",
        "digest_hour": 8, "quiet_hours": None, "normal_in_digest": False, "updated_at": None,
    }  # fmt: skip
    wanted = {**OSLO, "quiet_hours": {"start": "22:00:00", "end": "07:00:00"},
              "normal_in_digest": True}  # fmt: skip
    put = await http.put(MINE, json=wanted, headers=clinician_auth(me))
    assert put.status_code == 200, put.text
    got = (await http.get(MINE, headers=clinician_auth(me))).json()
    assert {k: got[k] for k in wanted} == {**wanted, "channels": ["kafka", "stream"]}
    assert got["updated_at"] is not None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"time_zone": "Europe/Atlantis"}, "time_zone"),
        ({"time_zone": "+02:00"}, "time_zone"),
        ({"digest_hour": 24}, "digest_hour"),
        ({"channels": ["stream", "sms"]}, "channels"),
        ({"channels": ["stream", "stream"]}, "channels"),
        ({"quiet_hours": {"start": "22:00", "end": "22:00"}}, "quiet_hours"),
        ({"quiet_hours": {"start": "22:00"}}, "quiet_hours"),
    ],
)
async def test_bad_preferences_are_422_naming_the_field(
    care_team_at: RunningService, body: dict[str, object], field: str
) -> None:
    response = await care_team_at.http.put(MINE, json=body, headers=clinician_auth("dr-x"))
    assert response.status_code == 422, response.text
    assert any(e["loc"][:2] == ["body", field] for e in response.json()["detail"]), response.text


async def test_only_the_clinician_or_an_integration_sees_or_sets_them(
    care_team_at: RunningService,
) -> None:
    http, me, other = care_team_at.http, unique("dr-"), unique("dr-")
    mine = f"/clinicians/{me}/notification-preferences"
    assert (await http.put(mine, json=OSLO, headers=service_auth())).status_code == 200
    assert (await http.get(MINE, headers=clinician_auth(me))).json()["time_zone"] == "Europe/Oslo"
    assert (await http.get(mine, headers=clinician_auth(me))).status_code == 200
    for attempt in (
        http.get(mine, headers=clinician_auth(other)),
        http.put(mine, json={"time_zone": "UTC"}, headers=clinician_auth(other)),
        http.get(mine, headers=patient_auth("p-17")),
        http.get(MINE, headers=patient_auth("p-17")),
        http.get(MINE, headers=service_auth()),
    ):
        assert (await attempt).status_code == 403
    assert (await http.get(MINE, headers=clinician_auth(me))).json()["time_zone"] == "Europe/Oslo"


async def test_digest_items_are_never_pushed_and_come_once_in_the_daily_digest(
    care_team_at: RunningService, clock: TestClock
) -> None:
    service, me = care_team_at, unique("dr-")
    put = await service.http.put(MINE, json=OSLO, headers=clinician_auth(me))
    assert put.status_code == 200
    minor = [await send(service, me, Priority.DIGEST, f"Minor conflict: {d} + sertraline")
             for d in ("sumatriptan", "rizatriptan")]  # fmt: skip
    await send(service, me, Priority.NORMAL, "Started: propranolol 40 mg")

    assert await send_due_summaries(service.runtime.pool, ctx(service)) == 0, "before 08:00"
    clock.advance(timedelta(hours=2))  # 08:00 in Oslo
    assert await send_due_summaries(service.runtime.pool, ctx(service)) == 1
    assert await send_due_summaries(service.runtime.pool, ctx(service)) == 0, "once"

    found = await rows(service, me)
    [digest] = [r for r in found if r["kind"] == "digest"]
    assert (digest["priority"], digest["title"]) == ("normal", "Daily digest 2026-11-02: 2 items")
    assert "Minor conflict: sumatriptan + sertraline" in digest["body"]
    assert "Minor conflict: rizatriptan + sertraline" in digest["body"]
    assert "propranolol" not in digest["body"], "normal items are pushed, not digested"
    assert sorted(digest["push_channels"]) == ["kafka", "stream"]
    for item in (r for r in found if r["id"] in minor):
        assert (item["push_channels"], item["held"]) == ([], "digest")
        assert item["summarized_in"] == digest["id"]

    # The digest has no patient of its own; reading it is a read of each listed patient's.
    read = await service.http.get(
        f"/clinicians/me/notifications/{digest['id']}", headers=clinician_auth(me)
    )
    assert read.status_code == 200, read.text
    audited = await service.runtime.pool.fetch(
        "SELECT patient_id FROM audit_log WHERE actor_subject = $1 AND resource = 'notifications'",
        me,
    )
    assert [r["patient_id"] for r in audited] == ["p-17"]

    clock.advance(timedelta(days=1))  # the next morning: nothing new, no digest
    assert await send_due_summaries(service.runtime.pool, ctx(service)) == 0

    topic = service.settings.topic(Topic.NOTIFICATIONS)
    async with TopicProbe(service.settings.kafka_bootstrap_servers, topic) as probe:
        records = await probe.wait_for(
            lambda rs: bool(events_with(rs, kind="digest", recipient_id=me)), what="the digest"
        )
    # Keyed by the recipient, so the items would have come before their digest.
    announced = {e["data"]["notification_id"] for e in events_with(records, recipient_id=me)}
    assert announced.isdisjoint(minor)


async def test_quiet_hours_hold_non_urgent_pushes_until_they_end_but_never_urgent_ones(
    care_team_at: RunningService, clock: TestClock
) -> None:
    service, me = care_team_at, unique("dr-")
    quiet = {**OSLO, "quiet_hours": {"start": "22:00", "end": "07:00"}}
    assert (await service.http.put(MINE, json=quiet, headers=clinician_auth(me))).status_code == 200

    held = await send(service, me, Priority.HIGH, "Major conflict: lithium + ibuprofen")
    urgent = await send(service, me, Priority.URGENT, "Contraindicated: phenelzine + rizatriptan")
    by_id = {r["id"]: r for r in await rows(service, me)}
    assert (by_id[held]["push_channels"], by_id[held]["held"]) == ([], "quiet_hours")
    assert (sorted(by_id[urgent]["push_channels"]), by_id[urgent]["held"]) == (
        ["kafka", "stream"], None,
    )  # fmt: skip

    clock.advance(timedelta(minutes=59))  # 06:59
    assert await send_due_summaries(service.runtime.pool, ctx(service)) == 0
    clock.advance(timedelta(minutes=1))  # 07:00 in Oslo: quiet hours end
    assert await send_due_summaries(service.runtime.pool, ctx(service)) == 1
    assert await send_due_summaries(service.runtime.pool, ctx(service)) == 0
    [summary] = [r for r in await rows(service, me) if r["kind"] == "quiet_hours_summary"]
    assert "Major conflict: lithium + ibuprofen" in summary["body"]
    assert "phenelzine" not in summary["body"], "the urgent one went out at once"
    assert sorted(summary["push_channels"]) == ["kafka", "stream"]
