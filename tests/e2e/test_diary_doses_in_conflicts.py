"""Doses the patient logs in the diary reach care_team's conflict engine, end to end:
diary HTTP API -> outbox -> Kafka -> care_team -> conflicts and `medication_conflict.flagged`.

Scenarios T05a/T05b (clinical-kb §5): sumatriptan 12 h after ergotamine is inside the
24 h window; 30 h after is not. And lithium with eight logged NSAID days (§1.G, LI-01).
"""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from shared.events.registry import Topic
from tests.e2e.conftest import Linked
from tests.support.care_team_api import conflicts, prescribe, set_up_team
from tests.support.ids import unique
from tests.support.kafka_probe import TopicProbe, events_with
from tests.support.services import RunningService
from tests.support.tokens import patient_auth
from tests.support.waiting import eventually

NEUROLOGIST = "dr-lindqvist"
PSYCHIATRIST = "dr-okafor"
FLAGGED = "org.carecoord.medication_conflict.flagged.v1"


def attack_with(drug: str, taken_at: datetime) -> dict[str, Any]:
    return {
        "entry_id": str(uuid4()),
        "started_at": (taken_at - timedelta(minutes=30)).isoformat(),
        "ended_at": (taken_at + timedelta(hours=3)).isoformat(),
        "intensity": 2,
        "medications": [{"name": drug, "dose": None, "taken_at": taken_at.isoformat()}],
    }


async def log_attacks(diary: RunningService, patient: str, *doses: tuple[str, datetime]) -> None:
    for drug, taken_at in doses:
        response = await diary.http.post(
            f"/patients/{patient}/attacks",
            json=attack_with(drug, taken_at),
            headers=patient_auth(patient),
        )
        assert response.status_code == 201, response.text


async def doses_applied(care_team: RunningService, patient: str, count: int) -> None:
    await eventually(
        lambda: care_team.runtime.pool.fetchval(
            "SELECT count(*) FROM intakes WHERE patient_id = $1", patient
        ),
        lambda found: found == count,
        what=f"{count} doses of {patient} in care_team",
    )


async def ergot_and_triptan_patient(care_team: RunningService) -> str:
    patient = unique("p-")
    await set_up_team(care_team.http, patient, {NEUROLOGIST: "headache_specialist"})
    for name in ("Cafergot", "sumatriptan"):
        await prescribe(care_team.http, patient, NEUROLOGIST, name, frequency="as needed")
    return patient


async def test_t05a_sumatriptan_12_h_after_ergotamine_flags_the_window(
    linked: Linked,
) -> None:
    diary, care_team = linked.diary, linked.care_team
    patient = await ergot_and_triptan_patient(care_team)
    [listed] = await conflicts(care_team.http, patient, NEUROLOGIST)
    assert (listed["rule_id"], listed["severity"]) == ("VAS-01", "moderate")

    ergot_at = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
    topic = care_team.settings.topic(Topic.CARE_TEAM)
    async with TopicProbe(care_team.settings.kafka_bootstrap_servers, topic) as probe:
        await log_attacks(
            diary, patient, ("Cafergot", ergot_at), ("Imitrex", ergot_at + timedelta(hours=12))
        )
        records = await probe.wait_for(
            lambda rs: bool(events_with(rs, type=FLAGGED, patient_id=patient, reflagged=True))
        )

    [event] = events_with(records, type=FLAGGED, patient_id=patient, reflagged=True)
    raised = event["data"]
    assert raised["conflict_id"] == listed["conflict_id"]  # the same conflict, raised again
    assert (raised["rule_id"], raised["severity"], raised["interruptive"]) == (
        "VAS-01",
        "contraindicated",
        True,
    )
    assert raised["reflag_reason"] == "severity rose from moderate to contraindicated"
    violation = raised["window_violation"]
    assert (violation["first"], violation["then"], violation["within_hours"]) == (
        "ergotamine",
        "sumatriptan",
        24.0,
    )
    assert datetime.fromisoformat(violation["then_at"]) == ergot_at + timedelta(hours=12)
    assert raised["summary"].startswith("Sumatriptan was taken 12 h after ergotamine")

    [stored] = await conflicts(care_team.http, patient, NEUROLOGIST)
    assert stored["severity"] == "contraindicated"
    assert stored["window_violation"]["then"] == "sumatriptan"


async def test_t05b_sumatriptan_30_h_after_ergotamine_flags_nothing(
    linked: Linked,
) -> None:
    diary, care_team = linked.diary, linked.care_team
    patient = await ergot_and_triptan_patient(care_team)
    ergot_at = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)

    await log_attacks(
        diary, patient, ("Cafergot", ergot_at), ("sumatriptan", ergot_at + timedelta(hours=30))
    )
    await doses_applied(care_team, patient, 2)

    [stored] = await conflicts(care_team.http, patient, NEUROLOGIST)
    assert (stored["rule_id"], stored["severity"]) == ("VAS-01", "moderate")
    assert stored["window_violation"] is None
    days = {d["medication"]: d["days"] for d in stored["intake_days"]}
    assert days == {"ergotamine": 1, "sumatriptan": 1}


async def test_lithium_and_eight_logged_nsaid_days_give_the_finding_with_the_count(
    linked: Linked,
) -> None:
    diary, care_team = linked.diary, linked.care_team
    patient = unique("p-")
    await set_up_team(care_team.http, patient, {PSYCHIATRIST: "psychiatrist"})
    lithium = await prescribe(
        care_team.http, patient, PSYCHIATRIST, "lithium", dose="300 mg", frequency="twice daily"
    )
    now = datetime.now(UTC).replace(microsecond=0)
    doses = [("ibuprofen", now - timedelta(days=d, hours=2)) for d in range(1, 9)]

    await log_attacks(diary, patient, *doses)
    await doses_applied(care_team, patient, 8)

    [finding] = await conflicts(care_team.http, patient, PSYCHIATRIST, "open")
    assert (finding["rule_id"], finding["severity"]) == ("LI-01", "major")
    assert finding["medications"] == ["ibuprofen", "lithium"]
    assert [(d["medication"], d["days"], d["over_days"]) for d in finding["intake_days"]] == [
        ("ibuprofen", 8, 30)
    ]
    assert "ibuprofen on 8 days" in finding["summary"]
    # Nobody prescribed the ibuprofen: only the lithium's prescriber and prescription.
    assert finding["prescribers"] == [PSYCHIATRIST]
    assert finding["prescription_ids"] == [lithium["prescription"]["prescription_id"]]
