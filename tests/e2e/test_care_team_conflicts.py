"""Conflicts from every source, replays that change nothing, and who may see what."""

import json
from typing import Any

from shared.events.registry import Topic
from tests.support.care_team_api import by_rule, conflicts, prescribe, set_up_team
from tests.support.ids import unique
from tests.support.kafka_probe import TopicProbe, publish_raw
from tests.support.services import RunningService
from tests.support.tokens import clinician_auth, patient_auth, service_auth
from tests.support.waiting import eventually

NEUROLOGIST, PSYCHIATRIST = "dr-lindqvist", "dr-okafor"


def ehr_started(
    patient: str, rx: str, name: str, prescriber: tuple[str, str], **data: Any
) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": unique("ehr-"),
        "source": "/ehr/epic",
        "type": "org.carecoord.prescription.started.v1",
        "subject": f"patient/{patient}",
        "time": "2026-11-01T09:00:00Z",
        "data": {
            "prescription_id": rx,
            "patient_id": patient,
            "prescriber": {"id": prescriber[0], "role": prescriber[1]},
            "medication": {"name": name},
            "effective_at": "2026-11-01T09:00:00Z",
            **data,
        },
    }


async def publish(service: RunningService, *events: dict[str, Any]) -> None:
    await publish_raw(
        service.settings.kafka_bootstrap_servers,
        service.settings.topic(Topic.PRESCRIPTIONS),
        [(e["data"]["patient_id"].encode(), json.dumps(e).encode()) for e in events],
    )


def summary(found: list[dict[str, Any]]) -> set[tuple[str, str, tuple[str, ...]]]:
    return {(c["rule_id"], c["severity"], tuple(c["medications"])) for c in found}


async def test_an_ehr_prescription_has_the_same_effect_as_the_api(
    care_team: RunningService,
) -> None:
    http = care_team.http
    via_api, via_ehr = unique("p-"), unique("p-")
    await set_up_team(
        http, via_api, {NEUROLOGIST: "headache_specialist", PSYCHIATRIST: "psychiatrist"}
    )
    await prescribe(
        http, via_api, PSYCHIATRIST, "phenelzine", dose="15 mg", frequency="three times daily"
    )
    result = await prescribe(
        http, via_api, NEUROLOGIST, "rizatriptan", dose="10 mg", frequency="as needed"
    )
    assert [a["rule_id"] for a in result["alerts"]] == ["SER-03"]
    assert result["alerts"][0]["severity"] == "contraindicated"

    await publish(
        care_team,
        ehr_started(
            via_ehr,
            unique("rx-"),
            "phenelzine",
            (PSYCHIATRIST, "psychiatrist"),
            dose="15 mg",
            frequency="three times daily",
        ),
        ehr_started(
            via_ehr,
            unique("rx-"),
            "rizatriptan",
            (NEUROLOGIST, "headache_specialist"),
            dose="10 mg",
            frequency="as needed",
        ),
    )
    from_ehr = await eventually(
        lambda: _conflicts_of(care_team, via_ehr, PSYCHIATRIST),
        lambda found: "SER-03" in by_rule(found),
        what="the EHR's events to raise SER-03",
    )
    assert summary(from_ehr) == summary(await conflicts(http, via_api, PSYCHIATRIST))
    team = (await http.get(f"/patients/{via_ehr}/care-team", headers=service_auth())).json()
    assert {m["clinician_id"] for m in team["members"]} == {NEUROLOGIST, PSYCHIATRIST}


async def _conflicts_of(
    service: RunningService, patient: str, clinician: str
) -> list[dict[str, Any]]:
    response = await service.http.get(
        f"/patients/{patient}/conflicts", headers=clinician_auth(clinician)
    )
    return response.json() if response.status_code == 200 else []


async def test_duplicates_and_a_full_replay_change_nothing(care_team: RunningService) -> None:
    http, s = care_team.http, care_team.settings
    by_api, by_ehr = unique("p-"), unique("p-")
    await set_up_team(
        http, by_api, {NEUROLOGIST: "headache_specialist", PSYCHIATRIST: "psychiatrist"}
    )
    await prescribe(http, by_api, NEUROLOGIST, "amitriptyline", dose="25 mg", frequency="at night")
    await prescribe(http, by_api, PSYCHIATRIST, "fluoxetine", dose="20 mg", frequency="once daily")
    start = ehr_started(
        by_ehr, unique("rx-"), "sertraline", (PSYCHIATRIST, "psychiatrist"), dose="100 mg"
    )
    triptan = ehr_started(
        by_ehr,
        unique("rx-"),
        "sumatriptan",
        (NEUROLOGIST, "headache_specialist"),
        dose="50 mg",
        frequency="as needed",
    )
    await publish(care_team, start, start, triptan, triptan)  # each delivered twice
    await eventually(
        lambda: _conflicts_of(care_team, by_ehr, NEUROLOGIST),
        lambda found: "SER-01" in by_rule(found),
    )

    async def state() -> tuple[int, int, int]:
        pool = care_team.runtime.pool
        return (
            await pool.fetchval("SELECT count(*) FROM prescriptions"),
            await pool.fetchval("SELECT count(*) FROM conflicts"),
            await pool.fetchval("SELECT count(*) FROM prescription_changes"),
        )

    async def drained_care_team_events() -> int:
        await eventually(
            lambda: care_team.runtime.pool.fetchval("SELECT count(*) FROM outbox"),
            lambda n: n == 0,
            what="outbox drained",
        )
        async with TopicProbe(s.kafka_bootstrap_servers, s.topic(Topic.CARE_TEAM)) as probe:
            end = await probe.end_offsets_total()
            return len(await probe.wait_for(lambda rs: len(rs) >= end))

    before, events_before = await state(), await drained_care_team_events()
    assert before[0] == 4 and before[2] == 4

    async with TopicProbe(s.kafka_bootstrap_servers, s.topic(Topic.PRESCRIPTIONS)) as probe:
        end = await probe.end_offsets_total()
        everything = await probe.wait_for(lambda rs: len(rs) >= end)
    await publish_raw(
        s.kafka_bootstrap_servers,
        s.topic(Topic.PRESCRIPTIONS),
        [(r.key, r.value) for r in everything],
    )  # the whole topic, again
    markers = [
        ehr_started(p, unique("rx-"), "magnesium", (p, "self_reported")) for p in (by_api, by_ehr)
    ]
    await publish(care_team, *markers)
    await eventually(state, lambda now: now[0] == before[0] + 2, what="the two markers applied")

    assert await state() == (before[0] + 2, before[1], before[2] + 2)
    assert await drained_care_team_events() == events_before


async def test_a_clinician_outside_the_team_gets_404_everywhere_and_is_audited(
    care_team: RunningService,
) -> None:
    http = care_team.http
    patient = unique("p-")
    await set_up_team(http, patient, {PSYCHIATRIST: "psychiatrist"})
    made = await prescribe(http, patient, PSYCHIATRIST, "sertraline", dose="50 mg")
    rx = made["prescription"]["prescription_id"]
    [conflict_id] = [c["conflict_id"] for c in await conflicts(http, patient, PSYCHIATRIST)][
        :1
    ] or ["00000000-0000-0000-0000-000000000000"]
    stranger = clinician_auth("dr-stranger")
    requests: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", "/care-team", None),
        ("POST", "/care-team/members", {"clinician_id": "dr-stranger", "role": "psychiatrist"}),
        ("DELETE", f"/care-team/members/{PSYCHIATRIST}", None),
        ("GET", "/profile", None),
        ("PUT", "/profile", {"sex": "female"}),
        ("GET", "/medications", None),
        ("GET", "/medications/history", None),
        ("POST", "/prescriptions", {"medication": {"name": "ibuprofen"}}),
        ("PATCH", f"/prescriptions/{rx}", {"dose": "100 mg"}),
        ("POST", f"/prescriptions/{rx}/stop", {}),
        ("GET", "/conflicts", None),
        ("POST", f"/conflicts/{conflict_id}/acknowledgements", {"reason": "monitor"}),
        ("POST", "/medication-checks", {"medication": {"name": "ibuprofen"}}),
    ]
    for method, path, body in requests:
        response = await http.request(
            method, f"/patients/{patient}{path}", json=body, headers=stranger
        )
        assert response.status_code == 404, (method, path, response.status_code)
        unknown = await http.request(
            method, f"/patients/{unique('p-')}{path}", json=body, headers=stranger
        )
        assert unknown.json() == response.json()  # a real patient looks exactly like no patient

    denied = await care_team.runtime.pool.fetchval(
        """SELECT count(*) FROM audit_log
           WHERE actor_subject = 'dr-stranger' AND patient_id = $1 AND outcome = 'denied'""",
        patient,
    )
    assert denied == len(requests)
    listed = await http.get(f"/patients/{patient}/medications", headers=patient_auth(patient))
    assert listed.status_code == 200  # the patient sees their own list
    with_audit = await care_team.runtime.pool.fetchval(
        "SELECT count(*) FROM audit_log WHERE actor_subject = $1 AND outcome = 'allowed'", patient
    )
    assert with_audit == 1
    removed = await http.delete(
        f"/patients/{patient}/care-team/members/{PSYCHIATRIST}", headers=service_auth()
    )
    assert removed.status_code == 200
    gone = await http.get(f"/patients/{patient}/medications", headers=clinician_auth(PSYCHIATRIST))
    assert gone.status_code == 404


async def test_the_prescribing_check_has_no_side_effects(care_team: RunningService) -> None:
    http = care_team.http
    patient = unique("p-")
    await set_up_team(
        http, patient, {NEUROLOGIST: "headache_specialist", PSYCHIATRIST: "psychiatrist"}
    )
    await prescribe(
        http, patient, PSYCHIATRIST, "phenelzine", dose="15 mg", frequency="three times daily"
    )
    before = await conflicts(http, patient, NEUROLOGIST)
    check = await http.post(
        f"/patients/{patient}/medication-checks",
        json={"medication": {"name": "Maxalt"}, "dose": "10 mg", "frequency": "as needed"},
        headers=clinician_auth(NEUROLOGIST),
    )
    assert check.status_code == 200, check.text
    body = check.json()
    assert body["medication"] == "rizatriptan" and body["recognised"] is True
    assert body["findings"][0]["rule_id"] == "SER-03"
    assert body["cards"][0]["indicator"] == "critical"
    assert await conflicts(http, patient, NEUROLOGIST) == before
    listed = (
        await http.get(f"/patients/{patient}/medications", headers=clinician_auth(NEUROLOGIST))
    ).json()
    assert [m["ingredient"] for m in listed["medications"]] == ["phenelzine"]


async def test_unknown_drugs_stay_on_the_list_marked_unrecognised(
    care_team: RunningService,
) -> None:
    http = care_team.http
    patient = unique("p-")
    await set_up_team(http, patient, {NEUROLOGIST: "headache_specialist"})
    result = await prescribe(http, patient, NEUROLOGIST, "Zzyxomab", dose="1 vial")
    assert result["prescription"]["recognised"] is False
    listed = (
        await http.get(f"/patients/{patient}/medications", headers=clinician_auth(NEUROLOGIST))
    ).json()
    assert [(m["medication"], m["recognised"]) for m in listed["medications"]] == [
        ("zzyxomab", False)
    ]


async def test_recording_a_pregnancy_raises_the_valproate_contraindication(
    care_team: RunningService,
) -> None:
    http = care_team.http
    patient = unique("p-")
    await set_up_team(http, patient, {NEUROLOGIST: "headache_specialist"})
    await http.put(
        f"/patients/{patient}/profile",
        json={"sex": "female", "birth_date": "1998-03-02", "effective_contraception": False},
        headers=clinician_auth(NEUROLOGIST),
    )
    await prescribe(
        http,
        patient,
        NEUROLOGIST,
        "divalproex",
        dose="500 mg",
        frequency="twice daily",
        indication="migraine prevention",
    )
    assert "CON-01" not in by_rule(await conflicts(http, patient, NEUROLOGIST, "open"))
    updated = await http.put(
        f"/patients/{patient}/profile",
        json={"sex": "female", "birth_date": "1998-03-02", "pregnant": True},
        headers=clinician_auth(NEUROLOGIST),
    )
    assert updated.status_code == 200, updated.text
    now_open = by_rule(await conflicts(http, patient, NEUROLOGIST, "open"))
    assert now_open["CON-01"]["severity"] == "contraindicated"


async def test_each_prescriber_sees_the_others_changes_in_their_feed(
    care_team: RunningService,
) -> None:
    http = care_team.http
    patient = unique("p-")
    await set_up_team(
        http, patient, {NEUROLOGIST: "headache_specialist", PSYCHIATRIST: "psychiatrist"}
    )
    await prescribe(http, patient, NEUROLOGIST, "propranolol", dose="80 mg")
    await prescribe(http, patient, PSYCHIATRIST, "sertraline", dose="50 mg")
    feed = (await http.get("/clinicians/me/feed", headers=clinician_auth(PSYCHIATRIST))).json()
    mine = [item for item in feed if item["patient_id"] == patient]
    assert [(i["prescriber_id"], i["data"]["medication"]["name"]) for i in mine] == [
        (NEUROLOGIST, "propranolol")
    ]
    other = (await http.get("/clinicians/me/feed", headers=clinician_auth(NEUROLOGIST))).json()
    assert [i["data"]["medication"]["name"] for i in other if i["patient_id"] == patient] == [
        "sertraline"
    ]
