"""The clinician summary and preventive effects, end to end: prescription events from Kafka
(a duplicate, a stop before its start, a late change), diary entries over HTTP with past
times, and who may read the result."""

import json
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

from shared.events.registry import Topic, dead_letter_topic
from tests.support.ids import unique
from tests.support.kafka_probe import TopicProbe, events_with, publish_raw
from tests.support.services import RunningService
from tests.support.tokens import clinician_auth, patient_auth
from tests.support.waiting import eventually

OSLO = ZoneInfo("Europe/Oslo")
TODAY = datetime.now(OSLO).date()
START = TODAY - timedelta(days=88)  # topiramate's day 0: weeks 9-12 end 5 days ago
NEU, PSY = "dr-lindqvist", "dr-okafor"


def local(day: date, hour: int = 10) -> str:
    return datetime.combine(day, time(hour), tzinfo=OSLO).isoformat()


def days_from(first: date, count: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(count)]


def migraine(day: date) -> dict[str, Any]:
    return {
        "type": "attack",
        "entry": {
            "entry_id": str(uuid4()),
            "started_at": local(day),
            "ended_at": local(day, 15),
            "intensity": 3,
            "features": {"location": "unilateral", "pulsating": True, "nausea": True},
        },
    }


def checkin(day: date, mood: int) -> dict[str, Any]:
    entry = {"entry_id": str(uuid4()), "date": day.isoformat(), "mood": mood, "stress": 10 - mood}
    return {"type": "checkin", "entry": {**entry, "sleep_hours": 7.5}}


def prescription(
    event: str, patient: str, rx: str, who: str, role: str, day: date, **data: Any
) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": unique("rx-ev-"),
        "source": "/ehr/test",
        "type": f"org.carecoord.prescription.{event}.v1",
        "subject": f"patient/{patient}",
        "data": {
            "prescription_id": rx,
            "patient_id": patient,
            "prescriber": {"id": who, "role": role},
            "effective_at": local(day, 9),
            **data,
        },
    }


def member(patient: str, clinician: str, role: str) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": unique("ct-"),
        "source": "/carecoord/care-team",
        "type": "org.carecoord.care_team.member_added.v1",
        "subject": f"patient/{patient}",
        "data": {
            "patient_id": patient,
            "clinician_id": clinician,
            "role": role,
            "changed_by": "ehr",
            "source": "api",
            "effective_at": datetime.now(OSLO).isoformat(),
        },
    }


async def publish(diary: RunningService, topic: Topic, patient: str, *events: Any) -> None:
    await publish_raw(
        diary.settings.kafka_bootstrap_servers,
        diary.settings.topic(topic),
        [(patient.encode(), json.dumps(e).encode()) for e in events],
    )


async def join_care_team(diary: RunningService, patient: str, *members: tuple[str, str]) -> None:
    await publish(diary, Topic.CARE_TEAM, patient, *(member(patient, c, r) for c, r in members))
    url = f"/patients/{patient}/preventive-effects"

    async def statuses() -> set[int]:
        return {(await diary.http.get(url, headers=clinician_auth(c))).status_code
                for c, _ in members}  # fmt: skip

    await eventually(statuses, lambda found: found == {200}, what="the team to reach the diary")


async def test_the_care_team_sees_a_preventive_before_and_after(diary: RunningService) -> None:
    patient = unique("p-")
    auth = patient_auth(patient)
    settings = await diary.http.put(
        f"/patients/{patient}/diary-settings", json={"timezone": "Europe/Oslo"}, headers=auth
    )
    assert settings.status_code == 200, settings.text
    baseline, weeks_9_to_12 = (
        days_from(START - timedelta(days=28), 28),
        days_from(START + timedelta(days=56), 28),
    )
    items = [migraine(baseline[26 - 3 * i]) for i in range(8)]  # 8 migraine days
    items += [migraine(weeks_9_to_12[i]) for i in (0, 9, 18)]  # 3 migraine days
    items += [checkin(d, mood=4) for d in baseline] + [checkin(d, mood=7) for d in weeks_9_to_12]
    phq9 = {
        "entry_id": str(uuid4()),
        "instrument": "phq9",
        "completed_at": local(TODAY - timedelta(days=10)),
        "answers": [1, 1, 2, 1, 0, 1, 1, 0, 1],  # item 9 > 0: an alert
    }
    items.append({"type": "questionnaire", "entry": phq9})
    imported = await diary.http.post(
        f"/patients/{patient}/diary/import", json={"items": items}, headers=auth
    )
    assert imported.json()["created"] == len(items), imported.text

    await join_care_team(diary, patient, (NEU, "headache_specialist"), (PSY, "psychiatrist"))
    effects_url = f"/patients/{patient}/preventive-effects"

    fluoxetine = {"medication": {"name": "fluoxetine"}, "dose": "20 mg", "frequency": "daily"}
    topiramate = prescription(
        "started", patient, "rx-top", NEU, "headache_specialist", START,
        medication={"name": "Topiramate"}, dose="25 mg", frequency="twice daily",
        indication="migraine prevention",
    )  # fmt: skip
    poison = prescription("started", patient, "rx-bad", NEU, "headache_specialist", START)
    del poison["data"]["prescriber"]
    sertraline_stop = prescription(
        "stopped", patient, "rx-sert", PSY, "psychiatrist", TODAY - timedelta(days=2)
    )
    await publish(
        diary,
        Topic.PRESCRIPTIONS,
        patient,
        prescription("started", patient, "rx-flx", PSY, "psychiatrist",
                     TODAY - timedelta(days=400), **fluoxetine),
        poison,  # no prescriber: dead-lettered, and nothing after it is blocked
        topiramate,
        topiramate,  # delivered twice: one effect
        prescription("changed", patient, "rx-flx", PSY, "psychiatrist",
                     TODAY - timedelta(days=3), **{**fluoxetine, "dose": "40 mg"}),
        sertraline_stop,  # a stop for a prescription never seen before
    )  # fmt: skip
    summary_url = f"/patients/{patient}/summary"

    def stop_of_sertraline(body: dict[str, Any]) -> dict[str, Any] | None:
        found = [c for c in body["medication_changes"] if c["prescription_id"] == "rx-sert"]
        return found[0] if found else None

    # The stop is the last event on the patient's partition: the duplicate was read before.
    first_read = await eventually(
        lambda: diary.http.get(summary_url, headers=clinician_auth(NEU)),
        lambda r: stop_of_sertraline(r.json()) is not None,
        what="the prescription events to reach the diary",
    )
    stop = stop_of_sertraline(first_read.json())
    assert stop is not None and stop["medication"] is None  # not known yet, still kept
    dlq = dead_letter_topic(diary.settings.topic(Topic.PRESCRIPTIONS))
    async with TopicProbe(diary.settings.kafka_bootstrap_servers, dlq) as probe:
        await probe.wait_for(lambda rs: bool(events_with(rs, id=poison["id"])), what="poison")
    assert "rx-bad" not in {c["prescription_id"] for c in first_read.json()["medication_changes"]}
    stored = await diary.runtime.pool.fetchval(
        "SELECT count(*) FROM medication_changes WHERE event_id = $1", topiramate["id"]
    )
    assert stored == 1

    await publish(
        diary,
        Topic.PRESCRIPTIONS,
        patient,
        prescription("started", patient, "rx-sert", PSY, "psychiatrist",
                     TODAY - timedelta(days=300), medication={"name": "sertraline"}),
    )  # fmt: skip
    filled = await eventually(
        lambda: diary.http.get(summary_url, headers=clinician_auth(PSY)),
        lambda r: (stop_of_sertraline(r.json()) or {}).get("medication") == "sertraline",
        what="the stopped prescription's name to be filled in",
    )
    from_neurologist = await diary.http.get(summary_url, headers=clinician_auth(NEU))
    assert from_neurologist.json() == filled.json()  # both clinicians see the same summary
    body = filled.json()

    assert (body["first_day"], body["last_day"]) == (
        (TODAY - timedelta(days=89)).isoformat(),
        TODAY.isoformat(),
    )
    assert body["time_zone"] == "Europe/Oslo"
    assert [(c["prescription_id"], c["change"]) for c in body["medication_changes"]] == [
        ("rx-top", "started"),
        ("rx-flx", "changed"),
        ("rx-sert", "stopped"),
    ]  # the fluoxetine and sertraline starts are older than the period
    assert body["medication_changes"][0]["medication"] == "topiramate"
    assert body["medication_changes"][1]["prescriber"] == {"id": PSY, "role": "psychiatrist"}

    [effect] = body["preventive_effects"]
    assert (effect["medication"], effect["started_on"]) == ("topiramate", START.isoformat())
    assert effect["started_by"] == {"id": NEU, "role": "headache_specialist"}
    assert effect["status"] == "attributable", effect["verdict"]
    assert (effect["baseline"]["documented_days"], effect["baseline"]["migraine_days"]) == (28, 8)
    after = effect["weeks_9_to_12"]
    first_after, last_after = weeks_9_to_12[0].isoformat(), weeks_9_to_12[-1].isoformat()
    assert (after["first_day"], after["last_day"]) == (first_after, last_after)
    assert (after["documented_days"], after["migraine_days"]) == (28, 3)
    assert effect["migraine_days"] == {
        "baseline": 8,
        "weeks_9_to_12": 3,
        "absolute": -5,
        "percent": -62.5,
        "reduction_at_least_50": True,
    }
    assert effect["responder_50"] is True and effect["reasons"] == []
    assert "CON-03" in effect["source"]

    measures = body["measures"]
    assert (measures["migraine_days"], measures["headache_days"]) == (3, 3)
    weekly = body["trends"]["weekly"]
    assert sum(w["migraine_days"] for w in weekly) == 3
    assert sum(w["days"] for w in weekly) == 90
    full_after = [
        w
        for w in weekly
        if w["first_day"] >= first_after and w["last_day"] <= last_after and w["days"] == 7
    ]
    assert full_after and all(
        (w["checkin_days"], w["mean_mood"], w["mean_stress"], w["mean_sleep_hours"])
        == (7, 7.0, 3.0, 7.5)
        for w in full_after
    )
    [phq9_point] = body["trends"]["questionnaires"]["phq9"]
    assert (phq9_point["questionnaire_id"], phq9_point["total"]) == (phq9["entry_id"], 8)
    assert "phq9_item9" in {a["kind"] for a in body["alerts"]}

    # Months later, the EHR sends a fluoxetine change made inside the window.
    late = prescription("changed", patient, "rx-flx", PSY, "psychiatrist",
                        START + timedelta(days=30), **{**fluoxetine, "dose": "30 mg"})  # fmt: skip
    await publish(diary, Topic.PRESCRIPTIONS, patient, late)
    judged = await eventually(
        lambda: diary.http.get(effects_url, headers=clinician_auth(NEU)),
        lambda r: r.json()["effects"][0]["status"] == "not_attributable",
        what="the late change to make the effect not attributable",
    )
    [effect] = judged.json()["effects"]
    assert [r["event_id"] for r in effect["reasons"]] == [late["id"]]
    assert effect["reasons"][0]["medication"] == "fluoxetine"
    assert effect["migraine_days"]["absolute"] == -5  # the numbers stay, beside the reason

    whole = await diary.http.get(
        summary_url,
        params={"from": baseline[0].isoformat(), "to": weeks_9_to_12[-1].isoformat()},
        headers=clinician_auth(PSY),
    )
    assert whole.json()["measures"]["migraine_days"] == 11
    assert [c["event_id"] for c in whole.json()["medication_changes"]] == [
        topiramate["id"],
        late["id"],
    ]


async def test_only_the_care_team_reads_the_summary(diary: RunningService) -> None:
    patient = unique("p-")
    await join_care_team(diary, patient, (NEU, "headache_specialist"))
    url = f"/patients/{patient}/summary"
    for path in ("summary", "preventive-effects"):
        own = await diary.http.get(f"/patients/{patient}/{path}", headers=patient_auth(patient))
        assert own.status_code == 403
        assert "care team" in own.json()["detail"]
        stranger = await diary.http.get(
            f"/patients/{patient}/{path}", headers=clinician_auth("dr-stranger")
        )
        assert stranger.status_code == 404
        other_patient = await diary.http.get(
            f"/patients/{patient}/{path}", headers=patient_auth(unique("p-"))
        )
        assert other_patient.status_code == 404
    reversed_period = await diary.http.get(
        url, params={"from": "2026-05-02", "to": "2026-05-01"}, headers=clinician_auth(NEU)
    )
    assert reversed_period.status_code == 422
    assert reversed_period.json()["detail"][0]["loc"] == ["query", "from"]

    audit = await diary.runtime.pool.fetch(
        """SELECT actor_subject, resource, outcome FROM audit_log
           WHERE patient_id = $1 AND actor_subject IN ($1, 'dr-stranger')
           ORDER BY id""",
        patient,
    )
    assert [tuple(r) for r in audit] == [
        (patient, "summary", "denied"),
        ("dr-stranger", "summary", "denied"),
        (patient, "preventive_effects", "denied"),
        ("dr-stranger", "preventive_effects", "denied"),
    ]
    allowed = await diary.runtime.pool.fetchval(
        """SELECT count(*) FROM audit_log
           WHERE patient_id = $1 AND actor_subject = $2 AND outcome = 'allowed'""",
        patient,
        NEU,
    )
    assert allowed >= 2  # the reads that succeeded, and the refused period
