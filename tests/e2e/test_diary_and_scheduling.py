"""Diary and scheduling record over HTTP and announce through the outbox, exactly once."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from shared.events.registry import Topic
from tests.support.ids import unique
from tests.support.kafka_probe import TopicProbe, events_with
from tests.support.services import RunningService
from tests.support.tokens import clinician_auth, patient_auth, service_auth

NOW = datetime.now(UTC).replace(microsecond=0)


def attack(**kw: Any) -> dict[str, Any]:
    return {
        "entry_id": str(uuid4()),
        "started_at": (NOW - timedelta(hours=5)).isoformat(),
        "ended_at": (NOW - timedelta(hours=1)).isoformat(),
        "intensity": 3,
        "medications": [
            {
                "name": "sumatriptan",
                "dose": "50 mg",
                "taken_at": (NOW - timedelta(hours=4)).isoformat(),
            }
        ],
        **kw,
    }


async def test_recorded_attack_is_published_once_even_when_the_post_is_retried(
    diary: RunningService,
) -> None:
    patient = unique("p-")
    entry = attack()
    url = f"/patients/{patient}/attacks"
    first = await diary.http.post(url, json=entry, headers=patient_auth(patient))
    retry = await diary.http.post(url, json=entry, headers=patient_auth(patient))
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json() == first.json()
    conflict = await diary.http.post(
        url, json={**entry, "intensity": 1}, headers=patient_auth(patient)
    )
    assert conflict.status_code == 409
    marker = attack()
    assert (
        await diary.http.post(url, json=marker, headers=patient_auth(patient))
    ).status_code == 201

    async with TopicProbe(
        diary.settings.kafka_bootstrap_servers, diary.settings.topic(Topic.DIARY)
    ) as t:
        # Same patient, same partition: the marker arrives after anything about the first entry.
        records = await t.wait_for(lambda rs: bool(events_with(rs, entry_id=marker["entry_id"])))
    [event] = events_with(records, entry_id=entry["entry_id"])
    assert event["type"] == "org.carecoord.diary.attack.recorded.v1"
    assert event["subject"] == f"patient/{patient}"
    assert event["data"]["medications"][0]["name"] == "sumatriptan"
    assert records[0].key == patient.encode()

    read = await diary.http.get(f"{url}/{entry['entry_id']}", headers=patient_auth(patient))
    assert read.status_code == 200 and read.json()["intensity"] == 3


async def test_diary_rejects_bad_input_naming_the_field(diary: RunningService) -> None:
    patient = unique("p-")
    url = f"/patients/{patient}/attacks"
    bad = attack(ended_at=(NOW - timedelta(hours=6)).isoformat())
    response = await diary.http.post(url, json=bad, headers=patient_auth(patient))
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "ended_at"]]
    missing = attack()
    del missing["intensity"]
    response = await diary.http.post(url, json=missing, headers=patient_auth(patient))
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "intensity"]]


async def test_diary_refuses_strangers(diary: RunningService) -> None:
    patient = unique("p-")
    url = f"/patients/{patient}/attacks"
    assert (await diary.http.post(url, json=attack())).status_code == 401
    bad_token = {"Authorization": "Bearer not.a.jwt"}
    assert (await diary.http.post(url, json=attack(), headers=bad_token)).status_code == 401
    assert (
        await diary.http.post(url, json=attack(), headers=patient_auth("p-x"))
    ).status_code == 404  # another patient's diary does not exist, as far as they can tell
    assert (await diary.http.post(url, json=attack(), headers=service_auth())).status_code == 201


async def test_booked_visit_is_published(scheduling: RunningService) -> None:
    patient = unique("p-")
    visit = {
        "patient_id": patient,
        "clinician_ids": ["dr-lindqvist"],
        "type": "initial_consultation",
        "modality": "in_person",
        "starts_at": (NOW + timedelta(days=7)).isoformat(),
    }
    response = await scheduling.http.post(
        "/visits", json=visit, headers=clinician_auth("dr-lindqvist")
    )
    assert response.status_code == 201
    booked = response.json()
    assert booked["status"] == "booked"
    assert datetime.fromisoformat(booked["ends_at"]) - datetime.fromisoformat(
        booked["starts_at"]
    ) == timedelta(minutes=60)

    topic = scheduling.settings.topic(Topic.VISITS)
    async with TopicProbe(scheduling.settings.kafka_bootstrap_servers, topic) as t:
        records = await t.wait_for(lambda rs: bool(events_with(rs, visit_id=booked["visit_id"])))
    [event] = events_with(records, visit_id=booked["visit_id"])
    assert event["type"] == "org.carecoord.visit.booked.v1"
    assert json.loads(records[0].value)["data"]["patient_id"] == patient

    read = await scheduling.http.get(f"/visits/{booked['visit_id']}", headers=patient_auth(patient))
    assert read.status_code == 200
    stranger = await scheduling.http.get(
        f"/visits/{booked['visit_id']}", headers=clinician_auth("dr-x")
    )
    assert stranger.status_code == 404  # not on the team: the visit's existence is not revealed


async def test_scheduling_rejects_bad_input_and_missing_tokens(scheduling: RunningService) -> None:
    visit = {
        "patient_id": unique("p-"),
        "clinician_ids": ["dr-a"],
        "type": "house_call",
        "starts_at": (NOW + timedelta(days=1)).isoformat(),
    }
    assert (await scheduling.http.post("/visits", json=visit)).status_code == 401
    response = await scheduling.http.post("/visits", json=visit, headers=service_auth())
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "type"]]
    other = await scheduling.http.post(
        "/visits", json={**visit, "type": "follow_up"}, headers=clinician_auth("dr-not-in-visit")
    )
    assert other.status_code == 403
