"""The seed story: a headache specialist and a psychiatrist share a patient."""

import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from services.care_team.app import create_app
from services.care_team.evaluation import reevaluate_due
from services.care_team.settings import CareTeamSettings
from shared.events.registry import Topic
from tests.support.care_team_api import by_rule, conflicts, prescribe, set_up_team
from tests.support.clock import TestClock
from tests.support.ids import unique
from tests.support.infrastructure import Endpoints
from tests.support.kafka_probe import TopicProbe, events_with
from tests.support.services import RunningService, running_service
from tests.support.tokens import clinician_auth

NEUROLOGIST, PSYCHIATRIST = "dr-lindqvist", "dr-okafor"


@pytest.fixture
def clock() -> TestClock:
    return TestClock()


@pytest.fixture
async def care_team_at(infra: Endpoints, clock: TestClock) -> AsyncIterator[RunningService]:
    async with running_service(
        create_app,
        CareTeamSettings,
        infra,
        app_kwargs={"clock": clock},
        reevaluation_interval_s=3600,  # the test runs the due re-evaluations itself
    ) as service:
        yield service


async def test_amitriptyline_then_fluoxetine_acknowledged_stopped_and_resolved_after_washout(
    care_team_at: RunningService, clock: TestClock
) -> None:
    service, http = care_team_at, care_team_at.http
    patient = unique("p-")
    await set_up_team(
        http, patient, {NEUROLOGIST: "headache_specialist", PSYCHIATRIST: "psychiatrist"}
    )

    await prescribe(
        http,
        patient,
        NEUROLOGIST,
        "amitriptyline",
        dose="25 mg",
        frequency="once daily at night",
        indication="migraine prevention",
    )
    result = await prescribe(
        http,
        patient,
        PSYCHIATRIST,
        "Prozac",
        dose="20 mg",
        frequency="once daily",
        indication="depression",
    )
    fluoxetine_rx = result["prescription"]["prescription_id"]
    assert result["prescription"]["ingredient"] == "fluoxetine"  # the brand resolved
    raised = by_rule(result["flagged"])
    assert raised["PK-34"]["severity"] == "moderate"  # low-dose TCA band (scenario T11)
    assert set(raised["PK-34"]["prescribers"]) == {NEUROLOGIST, PSYCHIATRIST}
    assert all(a["severity"] in ("contraindicated", "major") for a in result["alerts"])

    open_now = by_rule(await conflicts(http, patient, NEUROLOGIST, "open"))
    pk34 = open_now["PK-34"]
    ack = await http.post(
        f"/patients/{patient}/conflicts/{pk34['conflict_id']}/acknowledgements",
        json={"reason": "dose_adjusted", "note": "amitriptyline kept at 25 mg; TDM booked"},
        headers=clinician_auth(NEUROLOGIST),
    )
    assert ack.status_code == 201, ack.text

    seen_by_psychiatrist = by_rule(await conflicts(http, patient, PSYCHIATRIST, "open"))["PK-34"]
    [acknowledgement] = seen_by_psychiatrist["acknowledgements"]
    assert (acknowledgement["clinician_id"], acknowledgement["reason"]) == (
        NEUROLOGIST,
        "dose_adjusted",
    )

    stop = await http.post(
        f"/patients/{patient}/prescriptions/{fluoxetine_rx}/stop",
        json={"reason": "switching antidepressant"},
        headers=clinician_auth(PSYCHIATRIST),
    )
    assert stop.status_code == 200, stop.text
    still = by_rule(await conflicts(http, patient, PSYCHIATRIST, "open"))
    assert "PK-34" in still, "fluoxetine's CYP2D6 inhibition lasts ~5 weeks after the stop"
    lapses_at = still["PK-34"]["lapses_at"]
    assert lapses_at is not None
    listed = (
        await http.get(f"/patients/{patient}/medications", headers=clinician_auth(NEUROLOGIST))
    ).json()
    assert [m["ingredient"] for m in listed["in_washout"]] == ["fluoxetine"]

    clock.advance(timedelta(days=20))
    assert await reevaluate_due(service.runtime.pool, service.app.state.care_team) == 0
    clock.advance(timedelta(days=16))
    assert await reevaluate_due(service.runtime.pool, service.app.state.care_team) == 1

    after = by_rule(await conflicts(http, patient, PSYCHIATRIST))
    assert after["PK-34"]["status"] == "resolved"
    assert after["PK-34"]["resolution_reason"] == "washout_ended"

    topic = service.settings.topic(Topic.CARE_TEAM)
    async with TopicProbe(service.settings.kafka_bootstrap_servers, topic) as probe:
        records = await probe.wait_for(
            lambda rs: bool(
                events_with(
                    rs,
                    type="org.carecoord.medication_conflict.resolved.v1",
                    conflict_id=pk34["conflict_id"],
                )
            )
        )
    flagged = events_with(
        records,
        type="org.carecoord.medication_conflict.flagged.v1",
        conflict_id=pk34["conflict_id"],
    )
    assert len(flagged) == 1
    assert set(flagged[0]["data"]["prescribers"]) == {NEUROLOGIST, PSYCHIATRIST}
    assert flagged[0]["data"]["changed_by"] == PSYCHIATRIST
    acked = events_with(records, type="org.carecoord.medication_conflict.acknowledged.v1")
    assert [e["data"]["reason"] for e in acked] == ["dose_adjusted"]
    members = events_with(
        records, type="org.carecoord.care_team.member_added.v1", patient_id=patient
    )
    assert {e["data"]["clinician_id"] for e in members} == {NEUROLOGIST, PSYCHIATRIST}
    assert all(
        json.loads(r.value)["subject"] == f"patient/{patient}"
        for r in records
        if json.loads(r.value)["data"].get("patient_id") == patient
    )


async def test_a_dose_increase_raises_the_conflict_again_a_decrease_does_not(
    care_team_at: RunningService,
) -> None:
    http = care_team_at.http
    patient = unique("p-")
    await set_up_team(
        http, patient, {NEUROLOGIST: "headache_specialist", PSYCHIATRIST: "psychiatrist"}
    )
    tca = await prescribe(
        http, patient, NEUROLOGIST, "amitriptyline", dose="25 mg", frequency="at night"
    )
    await prescribe(http, patient, PSYCHIATRIST, "fluoxetine", dose="20 mg", frequency="once daily")
    rx = tca["prescription"]["prescription_id"]
    conflict_id = by_rule(await conflicts(http, patient, NEUROLOGIST, "open"))["PK-34"][
        "conflict_id"
    ]

    raised = await http.patch(
        f"/patients/{patient}/prescriptions/{rx}",
        json={"dose": "75 mg"},
        headers=clinician_auth(NEUROLOGIST),
    )
    assert raised.status_code == 200, raised.text
    again = by_rule(raised.json()["flagged"])["PK-34"]
    assert again["severity"] == "major"  # antidepressant-range TCA dose
    assert [a["rule_id"] for a in raised.json()["alerts"]] == ["PK-34"]
    current = by_rule(await conflicts(http, patient, NEUROLOGIST, "open"))["PK-34"]
    assert current["conflict_id"] == conflict_id  # the same conflict, raised again

    lowered = await http.patch(
        f"/patients/{patient}/prescriptions/{rx}",
        json={"dose": "50 mg"},
        headers=clinician_auth(NEUROLOGIST),
    )
    assert lowered.json()["flagged"] == []
    assert (
        by_rule(await conflicts(http, patient, NEUROLOGIST, "open"))["PK-34"]["severity"]
        == "moderate"
    )

    topic = care_team_at.settings.topic(Topic.CARE_TEAM)
    async with TopicProbe(care_team_at.settings.kafka_bootstrap_servers, topic) as probe:
        records = await probe.wait_for(
            lambda rs: (
                len(
                    events_with(
                        rs,
                        type="org.carecoord.medication_conflict.flagged.v1",
                        conflict_id=conflict_id,
                    )
                )
                >= 2
            )
        )
    flagged = events_with(
        records, type="org.carecoord.medication_conflict.flagged.v1", conflict_id=conflict_id
    )
    assert [(e["data"]["reflagged"], e["data"]["reflag_reason"]) for e in flagged] == [
        (False, None),
        (True, "severity rose from moderate to major"),
    ]
