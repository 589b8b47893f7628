"""The seed story, told as the clinicians hear it (issue 6): exactly these notifications per
clinician, no more, and replaying every topic from the beginning adds none.

The headache specialist, the psychiatrist and the GP share a patient. The psychiatrist has
the patient on fluoxetine; the headache specialist adds sumatriptan (triptan + SSRI: minor,
digest only) and amitriptyline (fluoxetine raises its levels: moderate at 25 mg, major at
75 mg); the psychiatrist acknowledges. The patient logs a month of frequent triptan use
(overuse: the headache specialist) and answers PHQ-9 item 9 above zero (the psychiatrist,
urgently; the others learn only that a safety event occurred); scheduling proposes a joint
review of both prescribers, which both hear about.
"""

import json
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import uuid4

import pytest

from services.care_team.app import create_app as create_care_team
from services.care_team.settings import CareTeamSettings
from services.diary.app import create_app as create_diary
from services.diary.settings import DiarySettings
from services.scheduling.app import create_app as create_scheduling
from services.scheduling.settings import SchedulingSettings
from shared.events.registry import Topic
from tests.e2e.test_care_team_medication_list import publish, rx_event
from tests.support.care_team_api import by_rule, conflicts, prescribe, set_up_team
from tests.support.ids import unique
from tests.support.infrastructure import Endpoints
from tests.support.kafka_probe import TopicProbe
from tests.support.quiescence import settled
from tests.support.services import RunningService, running_service
from tests.support.tokens import clinician_auth, patient_auth, service_auth
from tests.support.waiting import eventually

NEU, PSY, GP = "dr-lindqvist", "dr-okafor", "dr-hansen"
TODAY = datetime.now(UTC).date()


@dataclass
class System:
    diary: RunningService
    scheduling: RunningService
    care_team: RunningService

    @property
    def all(self) -> tuple[RunningService, ...]:
        return (self.diary, self.scheduling, self.care_team)


@pytest.fixture
async def system(infra: Endpoints) -> AsyncIterator[System]:
    prefix = unique("t") + "."
    async with (
        running_service(create_diary, DiarySettings, infra, kafka_topic_prefix=prefix) as diary,
        running_service(
            create_scheduling, SchedulingSettings, infra, kafka_topic_prefix=prefix
        ) as scheduling,
        running_service(
            create_care_team, CareTeamSettings, infra, kafka_topic_prefix=prefix
        ) as care_team,
    ):
        yield System(diary, scheduling, care_team)


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def treated_attack(day: date) -> dict[str, Any]:
    return {
        "type": "attack",
        "entry": {
            "entry_id": str(uuid4()),
            "started_at": at(day, 9).isoformat(),
            "ended_at": at(day, 15).isoformat(),
            "intensity": 2,
            "features": {"location": "unilateral", "pulsating": True, "photophobia": True,
                         "phonophobia": True},
            "medications": [{"name": "sumatriptan", "dose": "50 mg",
                             "taken_at": at(day, 10).isoformat()}],
        },
    }  # fmt: skip


async def notifications_of(service: RunningService, patient: str) -> list[dict[str, Any]]:
    rows = await service.runtime.pool.fetch(
        """SELECT notification_id, recipient_id, priority, title, seq, push_channels
           FROM notifications
           WHERE patient_id = $1 ORDER BY recipient_id, seq""",
        patient,
    )
    return [dict(r) for r in rows]


def table(found: list[dict[str, Any]]) -> Counter[tuple[str, str, str]]:
    return Counter((n["recipient_id"], n["priority"], n["title"]) for n in found)


_ = "digest"  # minor: in the inbox and the digest, never pushed
# Who hears what: the clinician who made a change is never told of it (their prescribing
# screen showed the conflicts); a conflict raised again only for a higher dose comes a
# step quieter (the dose change itself is told); PHQ-9 item 9 details go only to the
# psychiatrist.
EXPECTED = Counter({
    (GP, "normal", "Started: fluoxetine 20 mg"): 1,
    (GP, _, "Minor condition caution conflict: fluoxetine"): 1,
    (GP, "normal", "Started: sumatriptan 50 mg"): 1,
    (GP, _, "Minor serotonin toxicity conflict: fluoxetine + sumatriptan"): 1,
    (GP, "normal", "Started: amitriptyline 25 mg"): 1,
    (GP, "normal", "Moderate duplicate therapy conflict: amitriptyline + fluoxetine"): 1,
    (GP, "normal", "Moderate pharmacokinetic conflict: amitriptyline + fluoxetine"): 1,
    (GP, _, "Minor condition caution conflict: amitriptyline"): 1,
    (GP, _, "Minor serotonin toxicity conflict: amitriptyline + fluoxetine"): 1,
    (GP, _, "Minor serotonin toxicity conflict: amitriptyline + sumatriptan"): 1,
    (GP, "normal", "Changed: amitriptyline 75 mg"): 1,
    (GP, "high", "Major pharmacokinetic conflict (again): amitriptyline + fluoxetine"): 1,
    (GP, _, "Moderate duplicate therapy conflict (again): amitriptyline + fluoxetine"): 1,
    (GP, _, "Minor condition caution conflict (again): amitriptyline"): 1,
    (GP, _, "Minor serotonin toxicity conflict (again): amitriptyline + fluoxetine"): 1,
    (GP, _, "Minor serotonin toxicity conflict (again): amitriptyline + sumatriptan"): 1,
    (GP, "normal", "Safety event"): 1,

    (NEU, "normal", "Started: fluoxetine 20 mg"): 1,
    (NEU, _, "Minor condition caution conflict: fluoxetine"): 1,
    (NEU, "normal", "Conflict acknowledged: amitriptyline + fluoxetine"): 1,
    (NEU, "normal", "Medication overuse warning: triptan"): 1,
    (NEU, "normal", "Safety event"): 1,
    (NEU, "high", "Joint review proposed"): 1,

    (PSY, "normal", "Started: sumatriptan 50 mg"): 1,
    (PSY, _, "Minor serotonin toxicity conflict: fluoxetine + sumatriptan"): 1,
    (PSY, "normal", "Started: amitriptyline 25 mg"): 1,
    (PSY, "normal", "Moderate duplicate therapy conflict: amitriptyline + fluoxetine"): 1,
    (PSY, "normal", "Moderate pharmacokinetic conflict: amitriptyline + fluoxetine"): 1,
    (PSY, _, "Minor condition caution conflict: amitriptyline"): 1,
    (PSY, _, "Minor serotonin toxicity conflict: amitriptyline + fluoxetine"): 1,
    (PSY, _, "Minor serotonin toxicity conflict: amitriptyline + sumatriptan"): 1,
    (PSY, "normal", "Changed: amitriptyline 75 mg"): 1,
    (PSY, "high", "Major pharmacokinetic conflict (again): amitriptyline + fluoxetine"): 1,
    (PSY, _, "Moderate duplicate therapy conflict (again): amitriptyline + fluoxetine"): 1,
    (PSY, _, "Minor condition caution conflict (again): amitriptyline"): 1,
    (PSY, _, "Minor serotonin toxicity conflict (again): amitriptyline + fluoxetine"): 1,
    (PSY, _, "Minor serotonin toxicity conflict (again): amitriptyline + sumatriptan"): 1,
    (PSY, _, "Conflict resolved: fluoxetine"): 1,
    (PSY, "urgent", "PHQ-9 item 9 answered above zero"): 1,
    (PSY, "high", "Joint review proposed"): 1,
})  # fmt: skip


async def tell_the_story(system: System, patient: str) -> None:
    care_team = system.care_team.http
    await set_up_team(
        care_team, patient, {NEU: "headache_specialist", PSY: "psychiatrist", GP: "primary_care"}
    )
    for clinician in (NEU, PSY):  # every day, all day (UTC): a joint review finds a slot
        weekly = [{"weekday": d, "start": "00:00", "end": "23:45"} for d in range(7)]
        hours = await system.scheduling.http.put(
            f"/clinicians/{clinician}/availability",
            json={"time_zone": "UTC", "weekly": weekly},
            headers=service_auth(),
        )
        assert hours.status_code == 200, hours.text

    await prescribe(
        care_team, patient, PSY, "fluoxetine", dose="20 mg", frequency="once daily",
        indication="depression", effective_at=at(TODAY - timedelta(days=365), 9).isoformat(),
    )  # fmt: skip
    await prescribe(
        care_team, patient, NEU, "sumatriptan", dose="50 mg", frequency="as needed",
        indication="migraine", effective_at=at(TODAY - timedelta(days=90), 9).isoformat(),
    )  # fmt: skip
    started = await prescribe(
        care_team, patient, NEU, "amitriptyline", dose="25 mg", frequency="at night",
        indication="migraine prevention",
    )  # fmt: skip
    rx = started["prescription"]["prescription_id"]
    titrated = await care_team.patch(
        f"/patients/{patient}/prescriptions/{rx}", json={"dose": "75 mg"},
        headers=clinician_auth(NEU),
    )  # fmt: skip
    assert titrated.status_code == 200, titrated.text
    pk34 = by_rule(await conflicts(care_team, patient, PSY, "open"))["PK-34"]
    assert pk34["severity"] == "major"
    acknowledged = await care_team.post(
        f"/patients/{patient}/conflicts/{pk34['conflict_id']}/acknowledgements",
        json={"reason": "monitor", "note": "ECG and levels in two weeks"},
        headers=clinician_auth(PSY),
    )
    assert acknowledged.status_code == 201, acknowledged.text

    # The patient's phone syncs a month of attacks, triptan on 12 days, then a PHQ-9.
    attack_days = [TODAY - timedelta(days=2 * i + 1) for i in range(12)]
    synced = await system.diary.http.post(
        f"/patients/{patient}/diary/import",
        json={"items": [treated_attack(d) for d in attack_days]},
        headers=patient_auth(patient),
    )
    assert synced.status_code == 200, synced.text
    phq9 = await system.diary.http.post(
        f"/patients/{patient}/questionnaires",
        json={"entry_id": str(uuid4()), "instrument": "phq9",
              "completed_at": datetime.now(UTC).isoformat(),
              "answers": [2, 2, 2, 1, 1, 2, 1, 1, 1]},
        headers=patient_auth(patient),
    )  # fmt: skip
    assert phq9.status_code == 201, phq9.text


async def test_the_seed_story_notifies_exactly_these_clinicians_and_a_replay_none(
    system: System, infra: Endpoints
) -> None:
    patient = unique("p-")
    await tell_the_story(system, patient)
    await eventually(lambda: settled(*system.all), bool, timeout_s=60, what="the system to settle")
    found = await notifications_of(system.care_team, patient)
    assert table(found) == EXPECTED
    for recipient in (NEU, PSY, GP):  # each clinician's stream: 1, 2, 3, ... without gaps
        seqs = [n["seq"] for n in found if n["recipient_id"] == recipient]
        assert seqs == list(range(1, len(seqs) + 1))
    # Kafka carries what is pushed (paging systems); digest items wait for the daily digest.
    pushed = {str(n["notification_id"]) for n in found if "kafka" in n["push_channels"]}
    assert len(pushed) == sum(1 for n in found if n["priority"] != "digest")
    topic = system.care_team.settings.topic(Topic.NOTIFICATIONS)
    async with TopicProbe(infra.kafka_bootstrap_servers, topic) as probe:
        announced = await probe.wait_for(lambda rs: len(rs) >= len(pushed))
        assert await probe.end_offsets_total() == len(pushed)
    assert {e["data"]["notification_id"] for e in probe.events()} == pushed
    assert all(r.key.decode() == json.loads(r.value)["data"]["recipient_id"] for r in announced)

    # Replay every topic from the beginning: a second instance with new consumer groups, and
    # the routing consumers' inbox rows gone, so only the stable ids can stop doubles.
    await system.care_team.runtime.pool.execute(
        "DELETE FROM inbox WHERE consumer LIKE 'care_team.notifications%'"
    )
    async with running_service(
        create_care_team, CareTeamSettings, infra,
        kafka_topic_prefix=system.care_team.settings.kafka_topic_prefix,
        db_schema=system.care_team.settings.db_schema,
    ) as replaying:  # fmt: skip
        await eventually(
            lambda: settled(*system.all, replaying), bool, timeout_s=60, what="the replay"
        )
        replayed = await replaying.runtime.pool.fetchval(
            "SELECT count(*) FROM inbox WHERE consumer LIKE 'care_team.notifications%'"
        )
        assert replayed > 0, "the replay went through the routing consumers"
    assert await notifications_of(system.care_team, patient) == found
    async with TopicProbe(infra.kafka_bootstrap_servers, topic) as probe:
        assert await probe.end_offsets_total() == len(pushed)


async def test_a_conflict_from_an_ehr_change_reaches_its_prescriber_too(
    system: System,
) -> None:
    """Our API answers a prescriber's change with its conflicts; an EHR showed them nothing of
    ours, so the prescriber whose EHR change raised the conflict is notified with the rest."""
    service, patient = system.care_team, unique("p-")
    at = datetime.now(UTC)
    fluoxetine = rx_event(
        "started", patient, "rx-1", at=at, medication={"name": "fluoxetine"}, dose="20 mg",
        prescriber={"id": PSY, "role": "psychiatrist"},
    )  # fmt: skip
    amitriptyline = rx_event(
        "started", patient, "rx-2", at=at, medication={"name": "amitriptyline"}, dose="75 mg",
        prescriber={"id": NEU, "role": "headache_specialist"},
    )  # fmt: skip
    await publish(service, fluoxetine, amitriptyline)
    await eventually(lambda: settled(*system.all), bool, timeout_s=60, what="the system to settle")
    found = table(await notifications_of(service, patient))
    major = "Major pharmacokinetic conflict: amitriptyline + fluoxetine"
    assert found[(NEU, "high", major)] == 1  # the changer, through their EHR
    assert found[(PSY, "high", major)] == 1
    assert found[(PSY, "normal", "Started: amitriptyline 75 mg")] == 1
    assert found[(NEU, "normal", "Started: amitriptyline 75 mg")] == 0  # their own change
