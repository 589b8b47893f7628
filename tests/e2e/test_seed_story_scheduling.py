"""The seed story continues (issue 5's acceptance), across care_team and scheduling on Kafka.

The patient books an initial consultation with the headache specialist; after it took place
and the headache specialist started amitriptyline (care_team's API), scheduling proposes a
follow-up 6-8 weeks on. Titrated to 75 mg, the amitriptyline-fluoxetine conflict is major
(KB PK-34); left unacknowledged for two days, scheduling proposes a joint review with both
prescribers.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from services.care_team.app import create_app as create_care_team
from services.care_team.settings import CareTeamSettings
from services.scheduling.app import create_app as create_scheduling
from services.scheduling.context import SchedulingContext
from services.scheduling.loops import joint_reviews_due
from services.scheduling.settings import SchedulingSettings
from shared.events.registry import Topic
from tests.support.care_team_api import conflicts, prescribe, set_up_team
from tests.support.clock import TestClock
from tests.support.ids import unique
from tests.support.infrastructure import Endpoints
from tests.support.kafka_probe import TopicProbe, events_with
from tests.support.services import RunningService, running_service
from tests.support.tokens import clinician_auth, patient_auth, service_auth
from tests.support.waiting import eventually

NEU, PSY = "dr-lindqvist", "dr-okafor"
NOW = datetime.now(UTC).replace(second=0, microsecond=0)


@dataclass
class Linked:
    care_team: RunningService
    scheduling: RunningService
    clock: TestClock


@pytest.fixture
async def linked(infra: Endpoints) -> AsyncIterator[Linked]:
    prefix, clock = unique("t") + ".", TestClock()
    async with (
        running_service(create_care_team, CareTeamSettings, infra, kafka_topic_prefix=prefix)
        as care_team,
        running_service(
            create_scheduling, SchedulingSettings, infra, app_kwargs={"clock": clock},
            kafka_topic_prefix=prefix, loop_interval_s=3600,
        ) as scheduling,
    ):  # fmt: skip
        yield Linked(care_team, scheduling, clock)


async def test_consultation_follow_up_and_joint_review(linked: Linked) -> None:
    care_team, scheduling, clock = linked.care_team, linked.scheduling, linked.clock
    patient = unique("p-")
    await set_up_team(care_team.http, patient, {NEU: "headache_specialist", PSY: "psychiatrist"})
    for clinician in (NEU, PSY):  # every day, all day (UTC): the arithmetic stays visible
        weekly = [{"weekday": d, "start": "00:00", "end": "23:45"} for d in range(7)]
        hours = await scheduling.http.put(
            f"/clinicians/{clinician}/availability",
            json={"time_zone": "UTC", "weekly": weekly},
            headers=service_auth(),
        )
        assert hours.status_code == 200, hours.text
    await prescribe(
        care_team.http, patient, PSY, "fluoxetine", dose="20 mg", frequency="once daily",
        indication="depression", effective_at=(NOW - timedelta(days=365)).isoformat(),
    )  # fmt: skip

    # The patient books an initial consultation (yesterday, for two hours ago).
    clock.set(NOW - timedelta(days=1))
    consultation_at = NOW - timedelta(hours=2)
    booked = await scheduling.http.post(
        "/visits",
        json={"patient_id": patient, "clinician_ids": [NEU], "type": "initial_consultation",
              "modality": "in_person", "starts_at": consultation_at.isoformat()},
        headers=patient_auth(patient),
    )  # fmt: skip
    assert booked.status_code == 201, booked.text
    consultation = booked.json()
    ends_at = datetime.fromisoformat(consultation["ends_at"])
    assert ends_at == consultation_at + timedelta(hours=1)  # an initial consultation: 60 min

    # It takes place; the headache specialist starts amitriptyline afterwards.
    clock.set(NOW - timedelta(minutes=55))
    done = await scheduling.http.post(
        f"/visits/{consultation['visit_id']}/complete",
        json={"outcome_note": "migraine without aura; amitriptyline 10 mg at night"},
        headers=clinician_auth(NEU),
    )
    assert done.json()["status"] == "fulfilled", done.text
    topic = scheduling.settings.topic(Topic.VISITS)
    async with TopicProbe(scheduling.settings.kafka_bootstrap_servers, topic) as probe:
        started = await prescribe(
            care_team.http, patient, NEU, "amitriptyline", dose="25 mg",
            frequency="once daily at night", indication="migraine prevention",
        )  # fmt: skip
        records = await probe.wait_for(
            lambda rs: bool(events_with(rs, type="org.carecoord.visit.proposed.v1")),
            what="the follow-up proposal",
        )
    [follow_up] = [e["data"] for e in events_with(records, type="org.carecoord.visit.proposed.v1")]
    starts = datetime.fromisoformat(follow_up["starts_at"])
    assert consultation_at + timedelta(weeks=6) <= starts <= consultation_at + timedelta(weeks=8)
    assert (follow_up["type"], follow_up["clinician_ids"]) == ("follow_up", [NEU])
    assert follow_up["status"] == "proposed"

    # At 25 mg the CYP2D6 conflict is moderate (a migraine dose, KB PK-34): no joint review.
    # Titrated to 75 mg it is major, and it stays unacknowledged: a joint review after 48 h.
    rx = started["prescription"]["prescription_id"]
    titrated = await care_team.http.patch(
        f"/patients/{patient}/prescriptions/{rx}", json={"dose": "75 mg"},
        headers=clinician_auth(NEU),
    )  # fmt: skip
    assert titrated.status_code == 200, titrated.text
    [conflict] = [c for c in await conflicts(care_team.http, patient, PSY, "open")
                  if c["rule_id"] == "PK-34"]  # fmt: skip
    assert conflict["severity"] == "major"
    await eventually(
        lambda: scheduling.runtime.pool.fetchval(
            "SELECT count(*) FROM open_conflicts WHERE conflict_id = $1", conflict["conflict_id"]
        ),
        lambda n: n == 1,
        what="the conflict to reach scheduling",
    )
    ctx: SchedulingContext = scheduling.app.state.scheduling
    clock.set(NOW + timedelta(hours=49))
    async with TopicProbe(scheduling.settings.kafka_bootstrap_servers, topic) as probe:
        assert await joint_reviews_due(scheduling.runtime.pool, ctx) == 1
        records = await probe.wait_for(
            lambda rs: bool(events_with(rs, type="org.carecoord.joint_review.proposed.v1")),
            what="the joint review",
        )
    [review] = [
        e["data"] for e in events_with(records, type="org.carecoord.joint_review.proposed.v1")
    ]
    assert review["clinician_ids"] == [NEU, PSY]
    assert (review["trigger"], review["trigger_id"]) == (
        "conflict_unacknowledged",
        conflict["conflict_id"],
    )
    earliest = clock() + timedelta(hours=2)  # the lead time; every 15 minutes is free
    assert (
        earliest <= datetime.fromisoformat(review["starts_at"]) < earliest + timedelta(minutes=15)
    )
