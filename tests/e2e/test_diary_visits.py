"""Rising headache days since the last visit: the diary learns of visits that took place
from `visit.completed` (scheduling's event) and compares the 28 days before the visit with
the days since."""

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import uuid4

from shared.events.registry import Topic
from tests.support.ids import unique
from tests.support.kafka_probe import TopicProbe, events_with, publish_raw
from tests.support.services import RunningService
from tests.support.tokens import patient_auth
from tests.support.waiting import eventually

TODAY = datetime.now(UTC).date()
VISIT_DAY = TODAY - timedelta(days=30)
ALERT = "org.carecoord.diary.alert.raised.v1"


def at(day: date, hour: int) -> str:
    return datetime.combine(day, time(hour), tzinfo=UTC).isoformat()


def visit_completed(patient: str, day: date) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": unique("v-"),
        "source": "/carecoord/scheduling",
        "type": "org.carecoord.visit.completed.v1",
        "subject": f"patient/{patient}",
        "data": {
            "visit_id": str(uuid4()),
            "patient_id": patient,
            "clinician_ids": ["dr-lindqvist"],
            "type": "follow_up",
            "modality": "video",
            "starts_at": at(day, 10),
            "ends_at": at(day, 11),
            "status": "fulfilled",
            "completed_at": at(day, 11),
            "outcome_note": "amitriptyline continued",
        },
    }


def attack(day: date) -> dict[str, Any]:
    entry = {"entry_id": str(uuid4()), "started_at": at(day, 8), "ended_at": at(day, 14)}
    return {"type": "attack", "entry": {**entry, "intensity": 2}}


def checkin(day: date) -> dict[str, Any]:
    return {"type": "checkin", "entry": {"entry_id": str(uuid4()), "date": day.isoformat()}}


async def test_more_headache_days_since_the_last_visit_raise_one_alert(
    diary: RunningService,
) -> None:
    patient = unique("p-")
    visit = visit_completed(patient, VISIT_DAY)
    await publish_raw(
        diary.settings.kafka_bootstrap_servers,
        diary.settings.topic(Topic.VISITS),
        [(patient.encode(), json.dumps(e).encode()) for e in (visit, visit)],  # redelivered
    )
    await eventually(
        lambda: diary.runtime.pool.fetchval(
            "SELECT count(*) FROM completed_visits WHERE patient_id = $1", patient
        ),
        lambda found: found == 1,
        what="the completed visit to reach the diary",
    )
    days = [TODAY - timedelta(days=n) for n in range(58, -1, -1)]  # 28 days before, and since
    before = [VISIT_DAY - timedelta(days=n) for n in (20, 5)]
    since = [VISIT_DAY + timedelta(days=n) for n in (3, 6, 9, 12, 15, 18, 21, 24)]
    items = [checkin(d) for d in days] + [attack(d) for d in before + since]

    topic = diary.settings.topic(Topic.DIARY)
    async with TopicProbe(diary.settings.kafka_bootstrap_servers, topic) as probe:
        response = await diary.http.post(
            f"/patients/{patient}/diary/import",
            json={"items": items},
            headers=patient_auth(patient),
        )
        assert response.json()["created"] == len(items), response.text
        records = await probe.wait_for(
            lambda rs: bool(events_with(rs, type=ALERT, kind="headache_days_rising")),
            what="the rising headache days alert",
        )
    [alert] = events_with(records, type=ALERT, patient_id=patient, kind="headache_days_rising")
    evidence = alert["data"]["evidence"]
    assert evidence["last_visit"] == VISIT_DAY.isoformat()
    assert evidence["before_visit"]["headache_days"] == len(before)
    since_window = [d for d in since if d >= TODAY - timedelta(days=27)]
    assert evidence["since_visit"]["headache_days"] == len(since_window)
    assert evidence["rise"] == len(since_window) - len(before)

    # Another entry in the same episode raises nothing new.
    one_more = await diary.http.post(
        f"/patients/{patient}/attacks",
        json=attack(TODAY - timedelta(days=1))["entry"],
        headers=patient_auth(patient),
    )
    assert one_more.status_code == 201, one_more.text
    stored = await diary.runtime.pool.fetchval(
        "SELECT count(*) FROM alerts WHERE patient_id = $1 AND kind = 'headache_days_rising'",
        patient,
    )
    assert stored == 1
