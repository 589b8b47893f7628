"""Questionnaires scored on arrival, alerts raised once per episode, measures from entry times."""

import random
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from shared.events.registry import Topic
from tests.support.ids import unique
from tests.support.kafka_probe import TopicProbe, events_with
from tests.support.services import RunningService
from tests.support.tokens import clinician_auth, patient_auth

NOW = datetime.now(UTC).replace(microsecond=0)


def phq9(item9: int, *, days_ago: int, entry_id: str | None = None) -> dict[str, Any]:
    return {
        "entry_id": entry_id or str(uuid4()),
        "instrument": "phq9",
        "completed_at": (NOW - timedelta(days=days_ago)).isoformat(),
        "answers": [1, 1, 2, 1, 0, 1, 1, 0, item9],
    }


async def alerts(service: RunningService, patient: str, kind: str) -> list[dict[str, Any]]:
    rows = await service.runtime.pool.fetch(
        """SELECT kind, priority, evidence FROM alerts
           WHERE patient_id = $1 AND kind = $2 ORDER BY raised_at""",
        patient,
        kind,
    )
    return [dict(r) for r in rows]


async def test_phq9_item9_alerts_once_per_questionnaire_and_again_on_a_later_day(
    diary: RunningService,
) -> None:
    patient = unique("p-")
    url = f"/patients/{patient}/questionnaires"
    auth = patient_auth(patient)
    first = phq9(1, days_ago=3)
    created = await diary.http.post(url, json=first, headers=auth)
    assert created.status_code == 201, created.text
    assert (created.json()["total"], created.json()["band"]) == (8, "mild")
    assert "phq9_item9_positive" in created.json()["flags"]
    assert (await diary.http.post(url, json=first, headers=auth)).status_code == 200  # re-sent
    assert (
        await diary.http.put(f"{url}/{first['entry_id']}", json=first, headers=auth)
    ).status_code == 200
    raised = await alerts(diary, patient, "phq9_item9")
    assert [a["priority"] for a in raised] == ["high"]

    later = phq9(2, days_ago=0)
    assert (await diary.http.post(url, json=later, headers=auth)).status_code == 201
    assert len(await alerts(diary, patient, "phq9_item9")) == 2

    topic = diary.settings.topic(Topic.DIARY)
    async with TopicProbe(diary.settings.kafka_bootstrap_servers, topic) as probe:
        records = await probe.wait_for(
            lambda rs: (
                len(
                    events_with(
                        rs,
                        type="org.carecoord.diary.alert.raised.v1",
                        patient_id=patient,
                        kind="phq9_item9",
                    )
                )
                >= 2
            )
        )
    published = events_with(
        records, type="org.carecoord.diary.alert.raised.v1", patient_id=patient, kind="phq9_item9"
    )
    assert len(published) == 2 and all(e["data"]["priority"] == "high" for e in published)


async def test_questionnaire_answers_are_validated_per_item(diary: RunningService) -> None:
    patient = unique("p-")
    bad = {**phq9(0, days_ago=1), "answers": [1, 1, 2, 1, 0, 1, 1, 0, 4]}
    response = await diary.http.post(
        f"/patients/{patient}/questionnaires", json=bad, headers=patient_auth(patient)
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert "item 9" in error["msg"].lower()
    hit6 = {
        "entry_id": str(uuid4()),
        "instrument": "hit6",
        "completed_at": NOW.isoformat(),
        "answers": ["always", "very often", "sometimes", "rarely", "never", "always"],
    }
    scored = await diary.http.post(
        f"/patients/{patient}/questionnaires", json=hit6, headers=patient_auth(patient)
    )
    assert (scored.json()["total"], scored.json()["band"]) == (13 + 11 + 10 + 8 + 6 + 13, "severe")


def triptan_attacks(days: int, every: int) -> list[dict[str, Any]]:
    out = []
    for back in range(1, days + 1):
        if back % every:
            continue
        start = NOW - timedelta(days=back, hours=2)
        out.append(
            {
                "type": "attack",
                "entry": {
                    "entry_id": str(uuid4()),
                    "started_at": start.isoformat(),
                    "ended_at": (start + timedelta(hours=6)).isoformat(),
                    "intensity": 3,
                    "features": {
                        "location": "unilateral",
                        "pulsating": True,
                        "nausea": True,
                        "photophobia": True,
                    },
                    "medications": [
                        {
                            "name": "sumatriptan",
                            "dose": "50 mg",
                            "taken_at": (start + timedelta(minutes=30)).isoformat(),
                        }
                    ],
                },
            }
        )
    return out


async def test_two_months_of_frequent_triptans_raise_the_overuse_warning_once(
    diary: RunningService,
) -> None:
    patient = unique("p-")
    items = triptan_attacks(60, every=2)  # 15 triptan days a month
    response = await diary.http.post(
        f"/patients/{patient}/diary/import", json={"items": items}, headers=patient_auth(patient)
    )
    assert response.json()["created"] == len(items)
    [warning] = await alerts(diary, patient, "medication_overuse_warning")
    assert warning["evidence"]["scope"] == "triptan"
    assert warning["evidence"]["months"][0]["days_counted"] >= 10  # over the 8.2.2 threshold
    assert warning["evidence"]["threshold_days"] == 10
    one_more = triptan_attacks(1, every=1)[0]["entry"]
    await diary.http.post(
        f"/patients/{patient}/attacks", json=one_more, headers=patient_auth(patient)
    )
    assert len(await alerts(diary, patient, "medication_overuse_warning")) == 1  # same episode


async def test_out_of_order_and_late_entries_give_the_same_measures(diary: RunningService) -> None:
    in_order, shuffled = unique("p-"), unique("p-")
    items = triptan_attacks(28, every=3)
    items += [
        {
            "type": "checkin",
            "entry": {
                "entry_id": str(uuid4()),
                "date": (NOW - timedelta(days=d)).date().isoformat(),
                "stress": d % 10,
            },
        }
        for d in range(1, 29)
    ]
    mixed = items[:]
    random.Random(4).shuffle(mixed)
    for patient, batch in ((in_order, items), (shuffled, mixed)):
        await diary.http.post(
            f"/patients/{patient}/diary/import",
            json={"items": batch},
            headers=patient_auth(patient),
        )
    late = triptan_attacks(2, every=1)[0]
    for patient in (in_order, shuffled):
        await diary.http.post(
            f"/patients/{patient}/attacks", json=late["entry"], headers=patient_auth(patient)
        )

    async def measures(patient: str) -> dict[str, Any]:
        response = await diary.http.get(
            f"/patients/{patient}/measures", headers=patient_auth(patient)
        )
        assert response.status_code == 200, response.text
        window: dict[str, Any] = response.json()["window"]
        return window

    a, b = await measures(in_order), await measures(shuffled)
    assert a == b
    assert a["headache_days"] == 10 and a["migraine_days"] == 10
    stranger = await diary.http.get(
        f"/patients/{in_order}/measures", headers=clinician_auth("dr-x")
    )
    assert stranger.status_code == 404
