"""Urgent notifications nobody acknowledges: re-sent after 30 minutes, then handed on."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from services.care_team.adapters import notification_repository
from services.care_team.app import create_app
from services.care_team.context import CareTeamContext
from services.care_team.escalating import escalate_due
from services.care_team.settings import CareTeamSettings
from shared.events.registry import Topic
from tests.support.care_team_api import set_up_team
from tests.support.clock import TestClock
from tests.support.ids import unique
from tests.support.infrastructure import Endpoints
from tests.support.kafka_probe import TopicProbe, events_with, publish_raw
from tests.support.services import RunningService, running_service
from tests.support.tokens import clinician_auth
from tests.support.waiting import eventually

PSYCHIATRIST, GP, NEUROLOGIST = "dr-okafor", "dr-haddad", "dr-lindqvist"
TEAM = {NEUROLOGIST: "headache_specialist", PSYCHIATRIST: "psychiatrist", GP: "primary_care"}
WINDOW = timedelta(minutes=30)


@pytest.fixture
def clock() -> TestClock:
    return TestClock()


@pytest.fixture
async def care_team_at(infra: Endpoints, clock: TestClock) -> AsyncIterator[RunningService]:
    async with running_service(
        create_app, CareTeamSettings, infra, app_kwargs={"clock": clock},
        notification_loop_interval_s=3600,  # the test runs the escalation passes itself
    ) as service:  # fmt: skip
        yield service


def ctx(service: RunningService) -> CareTeamContext:
    context: CareTeamContext = service.app.state.care_team
    return context


async def escalate(service: RunningService) -> int:
    return await escalate_due(service.runtime.pool, ctx(service), escalate_after=WINDOW)


async def phq9_item9(service: RunningService, patient: str) -> str:
    """The diary's alert, published as the diary would; the urgent notification's id."""
    event = {
        "specversion": "1.0",
        "id": unique("diary-"),
        "source": "/carecoord/diary",
        "type": "org.carecoord.diary.alert.raised.v1",
        "subject": f"patient/{patient}",
        "time": "2026-11-02T09:00:00Z",
        "datacontenttype": "application/json",
        "data": {
            "alert_id": str(uuid.uuid4()),
            "patient_id": patient,
            "kind": "phq9_item9",
            "priority": "high",
            "episode_key": "phq9_item9:q-1",
            "evidence": {"item9": 2, "questionnaire_id": "q-1"},
            "raised_at": "2026-11-02T09:00:00Z",
        },
    }
    settings = service.settings
    await publish_raw(
        settings.kafka_bootstrap_servers,
        settings.topic(Topic.DIARY),
        [(patient.encode(), json.dumps(event).encode())],
    )
    [urgent] = await eventually(
        lambda: notifications_of(service, patient, kind="safety_alert"),
        lambda rows: len(rows) == 1,
        what="the urgent safety notification",
    )
    assert (urgent["recipient_id"], urgent["priority"]) == (PSYCHIATRIST, "urgent")
    return str(urgent["notification_id"])


async def notifications_of(
    service: RunningService, patient: str, *, kind: str
) -> list[asyncpg.Record]:
    async with service.runtime.pool.acquire() as conn:
        return await conn.fetch(
            """SELECT notification_id, recipient_id, priority, kind, escalation, escalated_from,
                      title, data, push_channels
               FROM notifications WHERE patient_id = $1 AND kind = $2
               ORDER BY escalation, created_at""",
            patient,
            kind,
        )


async def acknowledge(service: RunningService, recipient: str, notification_id: str) -> None:
    async with service.runtime.pool.acquire() as conn:
        marked = await notification_repository.mark(
            conn, recipient, uuid.UUID(notification_id), field="acknowledged_at",
            at=ctx(service).clock(),
        )  # fmt: skip
    assert marked is not None


async def test_unacknowledged_self_harm_alert_is_re_sent_then_handed_on_until_acknowledged(
    care_team_at: RunningService, clock: TestClock
) -> None:
    service, patient = care_team_at, unique("p-")
    await set_up_team(service.http, patient, TEAM)
    original = await phq9_item9(service, patient)

    clock.advance(WINDOW - timedelta(minutes=1))
    assert await escalate(service) == 0, "not yet: the window has not passed"

    clock.advance(timedelta(minutes=2))
    assert await escalate(service) == 1
    assert await escalate(service) == 0, "a step is taken once"
    [resent] = await notifications_of(service, patient, kind="escalation")
    assert (resent["recipient_id"], resent["priority"], resent["escalation"]) == (
        PSYCHIATRIST, "urgent", 1,
    )  # fmt: skip
    assert str(resent["escalated_from"]) == original
    assert resent["title"] == "Not acknowledged: PHQ-9 item 9 answered above zero"

    clock.advance(WINDOW)
    assert await escalate(service) == 1
    handed = (await notifications_of(service, patient, kind="escalation"))[1]
    assert (handed["recipient_id"], handed["escalation"]) == (GP, 2)  # primary care is next
    assert handed["escalated_from"] == resent["notification_id"]
    assert handed["data"]["original_notification_id"] == original

    await acknowledge(service, GP, str(handed["notification_id"]))
    clock.advance(2 * WINDOW)
    assert await escalate(service) == 0, "acknowledged: the chain stops"
    assert len(await notifications_of(service, patient, kind="escalation")) == 2

    topic = service.settings.topic(Topic.NOTIFICATIONS)
    async with TopicProbe(service.settings.kafka_bootstrap_servers, topic) as probe:
        records = await probe.wait_for(
            lambda rs: len(events_with(rs, kind="escalation", patient_id=patient)) == 2,
            what="both escalations as notification.created",
        )
    announced = events_with(records, kind="escalation", patient_id=patient)
    # keyed by recipient: different partitions, so no order between the two
    assert {(e["data"]["recipient_id"], e["data"]["escalation"]) for e in announced} == {
        (PSYCHIATRIST, 1), (GP, 2),
    }  # fmt: skip


async def test_the_chain_runs_through_the_team_and_ends_when_nobody_is_left(
    care_team_at: RunningService, clock: TestClock
) -> None:
    service, patient = care_team_at, unique("p-")
    await set_up_team(service.http, patient, TEAM)
    await phq9_item9(service, patient)
    for _ in range(5):
        clock.advance(WINDOW)
        await escalate(service)
    chain = await notifications_of(service, patient, kind="escalation")
    assert [(n["recipient_id"], n["escalation"]) for n in chain] == [
        (PSYCHIATRIST, 1), (GP, 2), (NEUROLOGIST, 3),
    ]  # fmt: skip
    async with service.runtime.pool.acquire() as conn:
        ended = await conn.fetchval(
            "SELECT escalation_ended_at FROM notifications WHERE notification_id = $1",
            chain[-1]["notification_id"],
        )
    assert ended is not None, "the last link is marked, so later passes skip it"


async def test_acknowledged_in_time_nothing_escalates(
    care_team_at: RunningService, clock: TestClock
) -> None:
    service, patient = care_team_at, unique("p-")
    await set_up_team(service.http, patient, TEAM)
    original = await phq9_item9(service, patient)
    clock.advance(timedelta(minutes=10))
    await acknowledge(service, PSYCHIATRIST, original)
    clock.advance(3 * WINDOW)
    assert await escalate(service) == 0
    assert await notifications_of(service, patient, kind="escalation") == []


async def test_instances_escalating_at_once_create_each_step_once(
    care_team_at: RunningService, clock: TestClock
) -> None:
    service, patient = care_team_at, unique("p-")
    await set_up_team(service.http, patient, TEAM)
    await phq9_item9(service, patient)
    clock.advance(WINDOW)
    results: list[Any] = await asyncio.gather(*(escalate(service) for _ in range(4)))
    assert sum(results) == 1
    assert len(await notifications_of(service, patient, kind="escalation")) == 1


async def test_the_running_service_escalates_by_itself_until_acknowledged_over_http(
    infra: Endpoints,
) -> None:
    """No pass called by hand: the service's own loop (a 1 s window here, 30 min by default)
    re-sends, then hands on; the primary care clinician's acknowledgement in the inbox ends
    the chain for good."""
    async with running_service(
        create_app, CareTeamSettings, infra,
        escalation_after=timedelta(seconds=1), notification_loop_interval_s=0.1,
    ) as service:  # fmt: skip
        patient = unique("p-")
        await set_up_team(service.http, patient, TEAM)
        await phq9_item9(service, patient)
        resent, handed_on = await eventually(
            lambda: notifications_of(service, patient, kind="escalation"),
            lambda rows: len(rows) >= 2,
            what="a re-send and a hand-on",
        )
        assert (resent["recipient_id"], resent["escalation"]) == (PSYCHIATRIST, 1)
        assert (handed_on["recipient_id"], handed_on["escalation"]) == (GP, 2)
        acked = await service.http.post(
            f"/clinicians/me/notifications/{handed_on['notification_id']}/acknowledge",
            headers=clinician_auth(GP),
        )
        assert acked.status_code == 200, acked.text
        # The next hand-on (to the headache specialist) would be due a second later; wait for
        # two more loop rounds past that by watching the loop's own effect on another chain.
        other = unique("p-")
        await set_up_team(service.http, other, TEAM)
        await phq9_item9(service, other)
        await eventually(
            lambda: notifications_of(service, other, kind="escalation"),
            lambda rows: len(rows) >= 2,
            what="the other patient's chain to move on twice",
        )
        final = await notifications_of(service, patient, kind="escalation")
        assert [(r["recipient_id"], r["escalation"]) for r in final] == [
            (PSYCHIATRIST, 1),
            (GP, 2),
        ]
