"""The seed story continues (issue 4's acceptance), across diary and care_team on Kafka.

The patient (a headache specialist and a psychiatrist on the team; fluoxetine for a year)
logs two months of attacks with frequent sumatriptan: the diary raises the medication-
overuse alert, which the headache specialist sees. The headache specialist then starts
amitriptyline through care_team's API; the diary learns of it from the prescription event.
Three months on, both clinicians see headache days in the 28 days before the start against
weeks 9-12 after it.
"""

import json
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import httpx

from shared.events.registry import Topic
from tests.e2e.conftest import Linked
from tests.support.care_team_api import prescribe, set_up_team
from tests.support.ids import unique
from tests.support.kafka_probe import TopicProbe, events_with
from tests.support.tokens import clinician_auth, patient_auth
from tests.support.waiting import eventually

BERLIN = ZoneInfo("Europe/Berlin")
NEUROLOGIST, PSYCHIATRIST = "dr-lindqvist", "dr-okafor"
TODAY = datetime.now(BERLIN).date()
START = TODAY - timedelta(days=100)  # amitriptyline's day 0; its week 12 ended 16 days ago
ALERT = "org.carecoord.diary.alert.raised.v1"


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=BERLIN)


def migraine_treated(day: date) -> dict[str, Any]:
    return {
        "type": "attack",
        "entry": {
            "entry_id": str(uuid4()),
            "started_at": at(day, 9).isoformat(),
            "ended_at": at(day, 17).isoformat(),
            "intensity": 2,
            "features": {"location": "unilateral", "pulsating": True, "photophobia": True,
                         "phonophobia": True},
            "medications": [{"name": "Imitrex", "dose": "50 mg",
                             "taken_at": at(day, 10).isoformat()}],
        },
    }  # fmt: skip


def checkin(day: date) -> dict[str, Any]:
    return {"type": "checkin", "entry": {"entry_id": str(uuid4()), "date": day.isoformat()}}


async def sync(linked: Linked, patient: str, items: list[dict[str, Any]]) -> None:
    """The phone comes back online: a batch of entries, recorded as of the diary's clock."""
    response = await linked.diary.http.post(
        f"/patients/{patient}/diary/import", json={"items": items}, headers=patient_auth(patient)
    )
    assert response.status_code == 200, response.text
    assert response.json()["created"] == len(items), response.text


async def test_overuse_alert_then_amitriptyline_seen_before_and_after_by_both(
    linked: Linked,
) -> None:
    diary, care_team = linked.diary, linked.care_team
    patient = unique("p-")
    await set_up_team(
        care_team.http,
        patient,
        {NEUROLOGIST: "headache_specialist", PSYCHIATRIST: "psychiatrist"},
    )
    await prescribe(
        care_team.http, patient, PSYCHIATRIST, "fluoxetine", dose="20 mg",
        frequency="once daily", indication="depression",
        effective_at=at(START - timedelta(days=365), 9).isoformat(),
    )  # fmt: skip
    await prescribe(
        care_team.http, patient, NEUROLOGIST, "sumatriptan", dose="50 mg",
        frequency="as needed", effective_at=at(START - timedelta(days=90), 9).isoformat(),
    )  # fmt: skip
    settings = await diary.http.put(
        f"/patients/{patient}/diary-settings",
        json={"timezone": "Europe/Berlin"},
        headers=patient_auth(patient),
    )
    assert settings.status_code == 200, settings.text

    # Two months before amitriptyline: attacks on 4 days a week, each treated with a triptan.
    months = [START - timedelta(days=60 - i) for i in range(60)]
    attack_days = [d for i, d in enumerate(months) if i % 7 in (0, 2, 4, 5)]
    linked.diary_clock.set(at(START, 8))
    topic = diary.settings.topic(Topic.DIARY)
    async with TopicProbe(diary.settings.kafka_bootstrap_servers, topic) as probe:
        await sync(linked, patient, [checkin(d) for d in months] + [
            migraine_treated(d) for d in attack_days
        ])  # fmt: skip
        records = await probe.wait_for(
            lambda rs: bool(events_with(rs, type=ALERT, patient_id=patient)),
            what="the overuse alert",
        )
    [alert] = events_with(records, type=ALERT, patient_id=patient)
    data = alert["data"]
    assert (data["kind"], data["evidence"]["scope"]) == ("medication_overuse_warning", "triptan")
    last_month = data["evidence"]["months"][0]  # newest first
    assert last_month["days_counted"] == sum(
        1 for d in attack_days if d >= START - timedelta(days=29)
    )
    assert last_month["days_counted"] >= data["evidence"]["threshold_days"]  # 10: ICHD-3 8.2.2

    # The headache specialist starts amitriptyline (care_team's API, a prescription event).
    await prescribe(
        care_team.http, patient, NEUROLOGIST, "amitriptyline", dose="10 mg",
        frequency="once daily at night", indication="migraine prevention",
        effective_at=at(START, 18).isoformat(),
    )  # fmt: skip

    # Three months on: fewer attacks (one a week) in weeks 9-12, and daily check-ins.
    linked.diary_clock.set(at(START + timedelta(days=90), 8))
    weeks_9_to_12 = [START + timedelta(days=56 + i) for i in range(28)]
    fewer = weeks_9_to_12[3::7]
    await sync(linked, patient, [checkin(d) for d in weeks_9_to_12] + [
        migraine_treated(d) for d in fewer
    ])  # fmt: skip

    baseline_days = sum(1 for d in attack_days if d >= START - timedelta(days=28))
    effects_url = f"/patients/{patient}/preventive-effects"

    async def effects_as(clinician: str) -> httpx.Response:
        return await diary.http.get(effects_url, headers=clinician_auth(clinician))

    seen = {}
    for clinician in (NEUROLOGIST, PSYCHIATRIST):
        response = await eventually(
            partial(effects_as, clinician),
            lambda r: r.status_code == 200 and bool(r.json()["effects"]),
            what=f"the amitriptyline start to reach the diary ({clinician})",
        )
        [effect] = response.json()["effects"]
        seen[clinician] = effect
    assert seen[NEUROLOGIST] == seen[PSYCHIATRIST]  # the same view for both prescribers
    effect = seen[NEUROLOGIST]
    assert (effect["medication"], effect["started_on"]) == ("amitriptyline", START.isoformat())
    assert effect["started_by"] == {"id": NEUROLOGIST, "role": "headache_specialist"}
    # Fluoxetine started long before the baseline: the change is amitriptyline's own.
    assert effect["status"] == "attributable", effect["verdict"]
    assert effect["headache_days"]["baseline"] == baseline_days
    assert effect["headache_days"]["weeks_9_to_12"] == len(fewer) == 4
    assert effect["headache_days"]["reduction_at_least_50"] is True

    # The period summary shows the alert, the start and the change in headache days.
    summary = await diary.http.get(
        f"/patients/{patient}/summary",
        params={"from": months[0].isoformat(), "to": weeks_9_to_12[-1].isoformat()},
        headers=clinician_auth(NEUROLOGIST),
    )
    assert summary.status_code == 200, summary.text
    body = summary.json()
    assert "medication_overuse_warning" in {a["kind"] for a in body["alerts"]}
    started = [(c["medication"], c["change"]) for c in body["medication_changes"]]
    assert ("amitriptyline", "started") in started
    assert body["measures"]["headache_days"] == len(attack_days) + len(fewer)
    # The patient reads their own diary, not the clinicians' view of it.
    own = await diary.http.get(effects_url, headers=patient_auth(patient))
    assert own.status_code == 403
    assert json.loads(own.text)["detail"].startswith("this view is for the care team")
