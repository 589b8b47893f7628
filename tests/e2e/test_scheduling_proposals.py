"""What scheduling does by itself, on real Kafka and PostgreSQL: joint reviews for conflicts
left unacknowledged and for safety alerts, follow-ups after a preventive was started at a
visit, and reminders, each exactly once."""

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from services.scheduling.app import create_app
from services.scheduling.context import SchedulingContext
from services.scheduling.loops import joint_reviews_due, send_due_reminders
from services.scheduling.settings import SchedulingSettings
from shared.events.registry import Topic
from tests.support.clock import TestClock
from tests.support.ids import unique
from tests.support.infrastructure import Endpoints
from tests.support.kafka_probe import TopicProbe, events_with, publish_raw
from tests.support.services import RunningService, running_service
from tests.support.settings import isolated_settings
from tests.support.tokens import clinician_auth, service_auth
from tests.support.waiting import eventually

MONDAY = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)  # winter: Berlin is UTC+1
NEU, PSY = "dr-lindqvist", "dr-okafor"
PROPOSED = "org.carecoord.joint_review.proposed.v1"


@pytest.fixture
def clock() -> TestClock:
    clock = TestClock()
    clock.set(MONDAY)
    return clock


@pytest.fixture
def settings(infra: Endpoints) -> SchedulingSettings:
    return isolated_settings(SchedulingSettings, infra, loop_interval_s=3600)


@pytest.fixture
async def scheduling_at(
    settings: SchedulingSettings, clock: TestClock, infra: Endpoints
) -> AsyncIterator[RunningService]:
    async with running_service(
        create_app, SchedulingSettings, infra, app_kwargs={"clock": clock},
        **_same_place(settings),
    ) as service:  # fmt: skip
        yield service


def _same_place(settings: SchedulingSettings) -> dict[str, Any]:
    return {
        "db_schema": settings.db_schema,
        "kafka_topic_prefix": settings.kafka_topic_prefix,
        "kafka_consumer_group": settings.kafka_consumer_group,
        "loop_interval_s": 3600,  # the test runs the passes itself
    }


def context(service: RunningService) -> SchedulingContext:
    ctx: SchedulingContext = service.app.state.scheduling
    return ctx


def event(type_: str, patient: str, data: dict[str, Any], source: str) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": unique("e-"),
        "source": source,
        "type": f"org.carecoord.{type_}.v1",
        "subject": f"patient/{patient}",
        "data": {"patient_id": patient, **data},
    }


def member(patient: str, clinician: str, role: str) -> dict[str, Any]:
    data = {"clinician_id": clinician, "role": role, "changed_by": "ehr", "source": "api",
            "effective_at": MONDAY.isoformat()}  # fmt: skip
    return event("care_team.member_added", patient, data, "/carecoord/care-team")


def flagged(
    patient: str, conflict_id: str, at: datetime, severity: str = "major"
) -> dict[str, Any]:
    data = {
        "conflict_id": conflict_id, "kind": "pharmacokinetic", "severity": "major",
        "medications": ["amitriptyline", "fluoxetine"], "prescription_ids": ["rx-1", "rx-2"],
        "prescribers": [NEU, PSY], "summary": "s", "recommendation": "r", "evidence": [],
        "rule_id": "PK-34", "knowledge_version": "k", "interruptive": True,
        "flagged_at": at.isoformat(),
    }  # fmt: skip
    return event("medication_conflict.flagged", patient, data, "/carecoord/care-team")


async def publish(service: RunningService, topic: Topic, patient: str, *events: Any) -> None:
    await publish_raw(
        service.settings.kafka_bootstrap_servers,
        service.settings.topic(topic),
        [(patient.encode(), json.dumps(e).encode()) for e in events],
    )


async def hours(service: RunningService, clinician: str, start: str, end: str) -> None:
    weekly = [{"weekday": d, "start": start, "end": end} for d in range(5)]
    response = await service.http.put(
        f"/clinicians/{clinician}/availability",
        json={"time_zone": "Europe/Berlin", "weekly": weekly},
        headers=service_auth(),
    )
    assert response.status_code == 200, response.text


async def rows(service: RunningService, sql: str, *args: Any) -> Any:
    return await service.runtime.pool.fetchval(sql, *args)


async def test_an_unacknowledged_major_conflict_gets_one_joint_review_at_the_earliest_time(
    scheduling_at: RunningService, clock: TestClock
) -> None:
    service = scheduling_at
    await hours(service, NEU, "09:00", "12:00")  # 08:00-11:00 UTC
    await hours(service, PSY, "11:00", "15:00")  # 10:00-14:00 UTC: together 10:00-11:00 UTC
    patient, settled_patient = unique("p-"), unique("p-")
    conflict, settled = str(uuid4()), str(uuid4())
    for p in (patient, settled_patient):
        await publish(service, Topic.CARE_TEAM, p, member(p, NEU, "headache_specialist"),
                      member(p, PSY, "psychiatrist"))  # fmt: skip
    acknowledged = event(
        "medication_conflict.acknowledged", settled_patient,
        {"conflict_id": settled, "rule_id": "PK-34", "severity": "major",
         "medications": ["amitriptyline", "fluoxetine"], "prescribers": [NEU, PSY],
         "acknowledged_by": PSY, "reason": "monitor",
         "acknowledged_at": (MONDAY + timedelta(hours=3)).isoformat()},
        "/carecoord/care-team",
    )  # fmt: skip
    flag = flagged(patient, conflict, MONDAY)
    await publish(service, Topic.CARE_TEAM, patient, flag, flag)  # redelivered: one effect
    await publish(service, Topic.CARE_TEAM, settled_patient,
                  flagged(settled_patient, settled, MONDAY), acknowledged)  # fmt: skip
    await eventually(
        lambda: rows(service, "SELECT count(*) FROM open_conflicts WHERE settled_at IS NULL"),
        lambda n: n == 1,
        what="one conflict waiting, one acknowledged",
    )
    # Wednesday 10:30 UTC, the first joint time after 48 h + the 2 h lead, is taken by the
    # psychiatrist's other patient: the review goes to Thursday 10:00 UTC.
    wednesday = MONDAY + timedelta(days=2, hours=2, minutes=30)
    taken = await service.http.post(
        "/visits",
        json={"patient_id": unique("p-"), "clinician_ids": [PSY], "type": "follow_up",
              "starts_at": wednesday.isoformat()},
        headers=clinician_auth(PSY),
    )  # fmt: skip
    assert taken.status_code == 201, taken.text

    clock.set(MONDAY + timedelta(hours=47))
    assert await joint_reviews_due(service.runtime.pool, context(service)) == 0  # not yet
    clock.set(MONDAY + timedelta(days=2, minutes=30))
    topic = service.settings.topic(Topic.VISITS)
    async with TopicProbe(service.settings.kafka_bootstrap_servers, topic) as probe:
        assert await joint_reviews_due(service.runtime.pool, context(service)) == 1
        assert await joint_reviews_due(service.runtime.pool, context(service)) == 0
        records = await probe.wait_for(
            lambda rs: bool(events_with(rs, type=PROPOSED, patient_id=patient)),
            what="joint_review.proposed",
        )
    [proposal] = [e["data"] for e in events_with(records, type=PROPOSED)]
    assert proposal["patient_id"] == patient  # and none for the acknowledged conflict
    assert (proposal["trigger"], proposal["trigger_id"]) == ("conflict_unacknowledged", conflict)
    assert proposal["clinician_ids"] == [NEU, PSY] and proposal["status"] == "proposed"
    thursday = MONDAY + timedelta(days=3, hours=2)
    assert datetime.fromisoformat(proposal["starts_at"]) == thursday
    assert datetime.fromisoformat(proposal["ends_at"]) == thursday + timedelta(minutes=30)
    assert datetime.fromisoformat(proposal["expires_at"]) == clock() + timedelta(hours=72)

    # Held: the time is not offered to anyone else until confirmed or expired.
    clash = await service.http.post(
        "/visits",
        json={"patient_id": unique("p-"), "clinician_ids": [NEU], "type": "follow_up",
              "starts_at": thursday.isoformat()},
        headers=clinician_auth(NEU),
    )  # fmt: skip
    assert clash.status_code == 409
    confirmed = await service.http.post(
        f"/visits/{proposal['visit_id']}/confirm", headers=clinician_auth(PSY)
    )
    assert confirmed.json()["status"] == "booked", confirmed.text


async def test_a_safety_alert_proposes_a_joint_review_once(scheduling_at: RunningService) -> None:
    service = scheduling_at
    await hours(service, NEU, "09:00", "17:00")
    await hours(service, PSY, "09:00", "17:00")
    patient, alert_id = unique("p-"), str(uuid4())
    alert = event(
        "diary.alert.raised", patient,
        {"alert_id": alert_id, "kind": "phq9_item9", "priority": "high",
         "episode_key": f"phq9_item9:{alert_id}", "evidence": {"item9": 1},
         "raised_at": MONDAY.isoformat()},
        "/carecoord/diary",
    )  # fmt: skip
    await publish(service, Topic.CARE_TEAM, patient, member(patient, NEU, "headache_specialist"),
                  member(patient, PSY, "psychiatrist"))  # fmt: skip
    await eventually(
        lambda: rows(service, "SELECT count(*) FROM care_team_members WHERE patient_id = $1",
                     patient),
        lambda n: n == 2,
        what="the team",
    )  # fmt: skip
    await publish(service, Topic.DIARY, patient, alert, alert)
    key = f"joint-review:safety_alert:{alert_id}"
    await eventually(
        lambda: rows(service, "SELECT count(*) FROM visits WHERE proposal_key = $1", key),
        lambda n: n == 1,
        what="the joint review",
    )
    starts_at = await rows(service, "SELECT starts_at FROM visits WHERE proposal_key = $1", key)
    assert starts_at == MONDAY + timedelta(hours=2)  # 10:00 UTC: the first time after the lead


async def test_a_reminder_goes_out_once_per_visit_across_a_restart(
    scheduling_at: RunningService, settings: SchedulingSettings, clock: TestClock,
    infra: Endpoints,
) -> None:  # fmt: skip
    service, patient = scheduling_at, unique("p-")
    starts = MONDAY + timedelta(hours=25)
    booked = await service.http.post(
        "/visits",
        json={"patient_id": patient, "clinician_ids": [NEU], "type": "follow_up",
              "starts_at": starts.isoformat()},
        headers=clinician_auth(NEU),
    )  # fmt: skip
    visit_id = booked.json()["visit_id"]
    assert await send_due_reminders(service.runtime.pool, context(service)) == 0  # 25 h ahead
    clock.set(starts - timedelta(hours=23))
    assert await send_due_reminders(service.runtime.pool, context(service)) == 1
    assert await send_due_reminders(service.runtime.pool, context(service)) == 0

    async with running_service(
        create_app, SchedulingSettings, infra, app_kwargs={"clock": clock},
        **_same_place(settings),
    ) as restarted:  # fmt: skip
        assert await send_due_reminders(restarted.runtime.pool, context(restarted)) == 0

    topic = service.settings.topic(Topic.VISITS)
    async with TopicProbe(service.settings.kafka_bootstrap_servers, topic) as probe:
        records = await probe.wait_for(
            lambda rs: bool(events_with(rs, type="org.carecoord.visit.reminder_due.v1")),
            what="the reminder",
        )
        total = await probe.end_offsets_total()
    reminders = events_with(records, type="org.carecoord.visit.reminder_due.v1", visit_id=visit_id)
    assert len(reminders) == 1 and total == 2  # visit.booked, then one reminder


def started(patient: str, prescriber: str, name: str, at: datetime, **extra: Any) -> dict[str, Any]:
    data = {"prescription_id": unique("rx-"), "prescriber": {"id": prescriber,
            "role": "headache_specialist"}, "medication": {"name": name},
            "effective_at": at.isoformat(), **extra}  # fmt: skip
    return event("prescription.started", patient, data, "/carecoord/ehr")


async def test_the_follow_up_window_is_the_clinicians_and_only_preventives_count(
    scheduling_at: RunningService, clock: TestClock
) -> None:
    service, patient = scheduling_at, unique("p-")
    await hours(service, NEU, "09:00", "17:00")
    visit_at = MONDAY + timedelta(hours=1)  # 10:00 Berlin
    booked = await service.http.post(
        "/visits",
        json={"patient_id": patient, "clinician_ids": [NEU], "type": "follow_up",
              "starts_at": visit_at.isoformat()},
        headers=clinician_auth(NEU),
    )  # fmt: skip
    url = f"/visits/{booked.json()['visit_id']}/complete"
    clock.set(visit_at + timedelta(minutes=35))
    unordered = await service.http.post(
        url, json={"follow_up_after_weeks": 5, "follow_up_before_weeks": 4},
        headers=clinician_auth(NEU),
    )  # fmt: skip
    assert unordered.status_code == 422
    assert "follow_up_before_weeks must be after" in unordered.text
    done = await service.http.post(
        url, json={"follow_up_after_weeks": 4, "follow_up_before_weeks": 5},
        headers=clinician_auth(NEU),
    )  # fmt: skip
    assert done.json()["status"] == "fulfilled", done.text

    after = visit_at + timedelta(minutes=40)
    triptan = started(patient, NEU, "sumatriptan", after, frequency="as needed")
    preventive = started(patient, NEU, "Topamax", after, dose="25 mg", frequency="at night")
    topic = service.settings.topic(Topic.VISITS)
    async with TopicProbe(service.settings.kafka_bootstrap_servers, topic) as probe:
        await publish(service, Topic.PRESCRIPTIONS, patient, triptan, preventive, preventive)
        records = await probe.wait_for(
            lambda rs: bool(events_with(rs, type="org.carecoord.visit.proposed.v1")),
            what="the follow-up",
        )
    [follow_up] = events_with(records, type="org.carecoord.visit.proposed.v1")
    starts = datetime.fromisoformat(follow_up["data"]["starts_at"])
    # The first free 30 minutes four weeks on: the visit's own time of day, 10:00 Berlin.
    assert starts == visit_at + timedelta(weeks=4)
    stored = await rows(
        service, "SELECT count(*) FROM preventive_changes WHERE patient_id = $1", patient
    )
    assert stored == 1  # the triptan is no preventive; the redelivery changed nothing
