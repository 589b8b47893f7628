"""Diary entries: corrections and deletions as events, check-ins, bulk import, team reads."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from shared.events.registry import Topic
from tests.support.ids import unique
from tests.support.kafka_probe import TopicProbe, events_with, publish_raw
from tests.support.services import RunningService
from tests.support.tokens import clinician_auth, patient_auth
from tests.support.waiting import eventually

NOW = datetime.now(UTC).replace(microsecond=0)


def attack(**kw: Any) -> dict[str, Any]:
    return {
        "entry_id": str(uuid4()),
        "started_at": (NOW - timedelta(hours=6)).isoformat(),
        "intensity": 2,
        "features": {"location": "unilateral", "pulsating": True, "nausea": True},
        **kw,
    }


async def test_corrections_and_deletions_are_announced_once(diary: RunningService) -> None:
    patient = unique("p-")
    url = f"/patients/{patient}/attacks"
    auth = patient_auth(patient)
    entry = attack()
    assert (await diary.http.post(url, json=entry, headers=auth)).status_code == 201
    corrected = await diary.http.put(
        f"{url}/{entry['entry_id']}", json={**entry, "intensity": 3}, headers=auth
    )
    assert corrected.status_code == 200 and corrected.json()["revision"] == 2
    same_again = await diary.http.put(
        f"{url}/{entry['entry_id']}", json={**entry, "intensity": 3}, headers=auth
    )
    assert same_again.json()["revision"] == 2  # a retried correction changes nothing
    assert (await diary.http.delete(f"{url}/{entry['entry_id']}", headers=auth)).status_code == 204
    assert (await diary.http.delete(f"{url}/{entry['entry_id']}", headers=auth)).status_code == 204
    assert (await diary.http.get(f"{url}/{entry['entry_id']}", headers=auth)).status_code == 404
    marker = attack()
    await diary.http.post(url, json=marker, headers=auth)

    async with TopicProbe(
        diary.settings.kafka_bootstrap_servers, diary.settings.topic(Topic.DIARY)
    ) as t:
        records = await t.wait_for(lambda rs: bool(events_with(rs, entry_id=marker["entry_id"])))
    about = [json.loads(r.value) for r in records]
    about = [e for e in about if e["data"].get("entry_id") == entry["entry_id"]]
    assert [(e["type"].split(".")[-2], e["data"]["revision"]) for e in about] == [
        ("recorded", 1),
        ("recorded", 2),
        ("deleted", 3),
    ]
    assert about[1]["data"]["intensity"] == 3


async def test_one_check_in_per_day(diary: RunningService) -> None:
    patient = unique("p-")
    url = f"/patients/{patient}/checkins"
    auth = patient_auth(patient)
    day = {
        "entry_id": str(uuid4()),
        "date": "2026-11-20",
        "mood": 6,
        "stress": 7,
        "sleep_hours": 6.5,
    }
    assert (await diary.http.post(url, json=day, headers=auth)).status_code == 201
    assert (await diary.http.post(url, json=day, headers=auth)).status_code == 200
    other = {**day, "entry_id": str(uuid4())}
    assert (await diary.http.post(url, json=other, headers=auth)).status_code == 409
    bad = await diary.http.post(url, json={**other, "stress": 11}, headers=auth)
    assert bad.status_code == 422
    assert [e["loc"] for e in bad.json()["detail"]] == [["body", "stress"]]


async def test_bulk_import_reports_each_item(diary: RunningService) -> None:
    patient = unique("p-")
    good, retry = attack(), attack()
    items = [
        {"type": "attack", "entry": good},
        {"type": "attack", "entry": {**attack(), "intensity": 9}},
        {"type": "checkin", "entry": {"entry_id": str(uuid4()), "date": "2026-11-01", "stress": 3}},
        {"type": "attack", "entry": retry},
        {"type": "attack", "entry": retry},
    ]
    response = await diary.http.post(
        f"/patients/{patient}/diary/import", json={"items": items}, headers=patient_auth(patient)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["created"], body["unchanged"], body["failed"]) == (3, 1, 1)
    assert [i["status"] for i in body["items"]] == [
        "created",
        "invalid",
        "created",
        "created",
        "unchanged",
    ]
    assert body["items"][1]["errors"][0]["loc"] == ["items", 1, "entry", "intensity"]


async def test_the_care_team_reads_the_diary_once_care_team_says_so(diary: RunningService) -> None:
    patient = unique("p-")
    entry = attack()
    await diary.http.post(f"/patients/{patient}/attacks", json=entry, headers=patient_auth(patient))
    url = f"/patients/{patient}/attacks/{entry['entry_id']}"
    assert (await diary.http.get(url, headers=clinician_auth("dr-lindqvist"))).status_code == 404
    member_added = {
        "specversion": "1.0",
        "id": unique("ct-"),
        "source": "/carecoord/care-team",
        "type": "org.carecoord.care_team.member_added.v1",
        "subject": f"patient/{patient}",
        "data": {
            "patient_id": patient,
            "clinician_id": "dr-lindqvist",
            "role": "headache_specialist",
            "changed_by": "ehr",
            "source": "api",
            "effective_at": NOW.isoformat(),
        },
    }
    conflict = {
        **member_added,
        "id": unique("ct-"),
        "type": "org.carecoord.medication_conflict.resolved.v1",
        "data": {"unrelated": True},
    }
    await publish_raw(
        diary.settings.kafka_bootstrap_servers,
        diary.settings.topic(Topic.CARE_TEAM),
        [
            (patient.encode(), json.dumps(conflict).encode()),
            (patient.encode(), json.dumps(member_added).encode()),
        ],
    )
    read = await eventually(
        lambda: diary.http.get(url, headers=clinician_auth("dr-lindqvist")),
        lambda r: r.status_code == 200,
        what="the member to reach the diary",
    )
    assert read.json()["features"]["pulsating"] is True
    writes = await diary.http.post(
        f"/patients/{patient}/attacks", json=attack(), headers=clinician_auth("dr-lindqvist")
    )
    assert writes.status_code == 403  # the team reads; only the patient writes
