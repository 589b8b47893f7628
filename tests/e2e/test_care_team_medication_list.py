"""An EHR publishes prescription events on Kafka; care_team applies them and serves the list."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from aiokafka.admin import AIOKafkaAdminClient

from services.care_team.app import create_app as create_care_team
from services.care_team.settings import CareTeamSettings
from shared.events.registry import Topic, dead_letter_topic
from tests.support.ids import unique
from tests.support.infrastructure import Endpoints
from tests.support.kafka_probe import TopicProbe, header, publish_raw
from tests.support.services import RunningService, running_service
from tests.support.tokens import clinician_auth, patient_auth, service_auth
from tests.support.waiting import eventually

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def rx_event(kind: str, patient: str, rx: str, *, at: datetime, **data: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "prescription_id": rx,
        "patient_id": patient,
        "prescriber": data.pop("prescriber", {"id": "dr-okafor", "role": "psychiatrist"}),
        "effective_at": at.isoformat(),
        **data,
    }
    return {
        "specversion": "1.0",
        "id": unique("ehr-"),
        "source": "/ehr/epic",
        "type": f"org.carecoord.prescription.{kind}.v1",
        "subject": f"patient/{patient}",
        "time": at.isoformat(),
        "datacontenttype": "application/json",
        "data": body,
    }


async def publish(service: RunningService, *events: dict[str, Any]) -> None:
    await publish_raw(
        service.settings.kafka_bootstrap_servers,
        service.settings.topic(Topic.PRESCRIPTIONS),
        [(e["data"]["patient_id"].encode(), json.dumps(e).encode()) for e in events],
    )


async def medication_list(
    service: RunningService, patient: str, auth: dict[str, str]
) -> httpx.Response:
    return await service.http.get(f"/patients/{patient}/medications", headers=auth)


def by_name(response: httpx.Response) -> dict[str, dict[str, Any]]:
    return {m["medication"]: m for m in response.json()["medications"]}


async def test_both_prescribers_changes_form_one_active_list(care_team: RunningService) -> None:
    patient = unique("p-")
    lindqvist = {"id": "dr-lindqvist", "role": "headache_specialist"}
    await publish(
        care_team,
        rx_event(
            "started",
            patient,
            "rx-1",
            at=T0,
            medication={"name": "Fluoxetine", "rxcui": "4493"},
            dose="20 mg",
            frequency="once daily",
            indication="depression",
        ),
        rx_event(
            "started",
            patient,
            "rx-2",
            at=T0,
            prescriber=lindqvist,
            medication={"name": "amitriptyline"},
            dose="10 mg",
            indication="migraine prevention",
        ),
        rx_event(
            "started",
            patient,
            "rx-3",
            at=T0,
            prescriber=lindqvist,
            medication={"name": "propranolol"},
            dose="40 mg",
        ),
        rx_event(
            "changed",
            patient,
            "rx-1",
            at=T0 + timedelta(days=14),
            medication={"name": "fluoxetine"},
            dose="40 mg",
            frequency="once daily",
        ),
        rx_event("stopped", patient, "rx-3", at=T0 + timedelta(days=20), prescriber=lindqvist),
    )
    response = await eventually(
        lambda: medication_list(care_team, patient, clinician_auth("dr-lindqvist")),
        lambda r: (
            r.status_code == 200
            and by_name(r).get("fluoxetine", {}).get("dose") == "40 mg"
            and "propranolol" not in by_name(r)
        ),
        what="the medication list to reflect all five events",
    )
    meds = by_name(response)
    assert set(meds) == {"fluoxetine", "amitriptyline"}
    assert meds["fluoxetine"]["prescriber_id"] == "dr-okafor"
    assert meds["fluoxetine"]["started_at"] == T0.isoformat().replace("+00:00", "Z")
    assert meds["amitriptyline"]["prescriber_role"] == "headache_specialist"
    # The psychiatrist sees the headache specialist's prescription too (and vice versa).
    other = await medication_list(care_team, patient, clinician_auth("dr-okafor"))
    assert set(by_name(other)) == {"fluoxetine", "amitriptyline"}


async def test_one_patients_changes_are_applied_in_published_order(
    care_team: RunningService,
) -> None:
    patient = unique("p-")
    events = [
        rx_event("started", patient, "rx-9", at=T0, medication={"name": "topiramate"}, dose="25 mg")
    ]
    events += [
        rx_event(
            "changed",
            patient,
            "rx-9",
            at=T0 + timedelta(days=i),
            medication={"name": "topiramate"},
            dose=f"{25 + i} mg",
        )
        for i in range(1, 41)
    ]
    await publish(care_team, *events)
    await eventually(
        lambda: medication_list(care_team, patient, service_auth()),
        lambda r: r.status_code == 200 and by_name(r).get("topiramate", {}).get("dose") == "65 mg",
    )
    rows = await care_team.runtime.pool.fetch(
        "SELECT event_id FROM prescription_changes WHERE patient_id = $1 ORDER BY seq", patient
    )
    assert [r["event_id"] for r in rows] == [e["id"] for e in events]


async def test_redelivered_prescription_event_is_applied_once(care_team: RunningService) -> None:
    patient = unique("p-")
    start = rx_event(
        "started", patient, "rx-1", at=T0, medication={"name": "sertraline"}, dose="50 mg"
    )
    marker = rx_event(
        "started",
        patient,
        "rx-2",
        at=T0,
        medication={"name": "melatonin"},
        prescriber={"id": patient, "role": "self_reported"},
    )
    await publish(care_team, start, start, marker)
    await eventually(
        lambda: medication_list(care_team, patient, service_auth()),
        lambda r: r.status_code == 200 and "melatonin" in by_name(r),
    )
    changes = await care_team.runtime.pool.fetchval(
        "SELECT count(*) FROM prescription_changes WHERE patient_id = $1", patient
    )
    assert changes == 2


async def test_a_poison_prescription_is_dead_lettered_and_the_next_one_applied(
    care_team: RunningService,
) -> None:
    patient = unique("p-")
    bad = rx_event("started", patient, "rx-1", at=T0, dose="20 mg")  # no medication
    good = rx_event("started", patient, "rx-2", at=T0, medication={"name": "lithium"})
    await publish(care_team, bad, good)
    await eventually(
        lambda: medication_list(care_team, patient, service_auth()),
        lambda r: r.status_code == 200 and "lithium" in by_name(r),
    )
    dlq = dead_letter_topic(care_team.settings.topic(Topic.PRESCRIPTIONS))
    async with TopicProbe(care_team.settings.kafka_bootstrap_servers, dlq) as probe:
        [record] = await probe.wait_for(lambda rs: len(rs) >= 1)
    reason = header(record, "x-dlq-reason") or ""
    assert reason.startswith("schema validation failed")
    assert "data.medication: Field required" in reason
    assert json.loads(record.value)["id"] == bad["id"]


async def test_only_the_care_team_reads_the_list_and_every_read_is_audited(
    care_team: RunningService,
) -> None:
    patient = unique("p-")
    await publish(
        care_team,
        rx_event(
            "started", patient, "rx-1", at=T0, medication={"name": "venlafaxine"}, dose="75 mg"
        ),
    )
    await eventually(
        lambda: medication_list(care_team, patient, clinician_auth("dr-okafor")),
        lambda r: r.status_code == 200,
    )
    assert (
        await medication_list(care_team, patient, clinician_auth("dr-stranger"))
    ).status_code == 404
    assert (await medication_list(care_team, patient, patient_auth(patient))).status_code == 200
    assert (await medication_list(care_team, patient, patient_auth("p-other"))).status_code == 404
    assert (await medication_list(care_team, patient, {})).status_code == 401
    audit = await care_team.runtime.pool.fetch(
        "SELECT actor_subject, outcome FROM audit_log WHERE patient_id = $1 ORDER BY id", patient
    )
    outcomes = [(a["actor_subject"], a["outcome"]) for a in audit]
    assert ("dr-okafor", "allowed") in outcomes
    assert outcomes[-3:] == [("dr-stranger", "denied"), (patient, "allowed"), ("p-other", "denied")]


async def test_unknown_patient_is_404_for_an_integration(care_team: RunningService) -> None:
    response = await medication_list(care_team, unique("p-"), service_auth())
    assert response.status_code == 404


async def test_a_prescription_id_of_another_patient_is_refused_on_both_paths(
    care_team: RunningService,
) -> None:
    owner, other = unique("p-"), unique("p-")
    rx = unique("rx-")
    await publish(care_team, rx_event("started", owner, rx, at=T0, medication={"name": "lithium"}))
    await eventually(
        lambda: medication_list(care_team, owner, service_auth()),
        lambda r: r.status_code == 200 and "lithium" in by_name(r),
    )
    # An EHR names the owner's prescription for another patient: dead-lettered, the rest
    # of the batch (the marker) applied, the owner's prescription untouched.
    stolen = rx_event("changed", other, rx, at=T0, medication={"name": "valproate"})
    marker = rx_event("started", other, unique("rx-"), at=T0, medication={"name": "melatonin"})
    await publish(care_team, stolen, marker)
    dlq = dead_letter_topic(care_team.settings.topic(Topic.PRESCRIPTIONS))
    async with TopicProbe(care_team.settings.kafka_bootstrap_servers, dlq) as probe:
        [record] = await probe.wait_for(lambda rs: len(rs) >= 1)
    assert header(record, "x-dlq-reason") == (
        "InvalidEvent: prescription_id already belongs to another patient"
    )
    assert json.loads(record.value)["id"] == stolen["id"]
    listed = await eventually(
        lambda: medication_list(care_team, other, service_auth()),
        lambda r: r.status_code == 200 and "melatonin" in by_name(r),
    )
    assert set(by_name(listed)) == {"melatonin"}
    assert set(by_name(await medication_list(care_team, owner, service_auth()))) == {"lithium"}
    # Through the API: the id is taken.
    await care_team.http.post(
        f"/patients/{other}/care-team/members",
        json={"clinician_id": "dr-okafor", "role": "psychiatrist"},
        headers=service_auth(),
    )
    response = await care_team.http.post(
        f"/patients/{other}/prescriptions",
        json={"prescription_id": rx, "medication": {"name": "lithium"}},
        headers=clinician_auth("dr-okafor"),
    )
    assert response.status_code == 409, response.text


async def test_two_prescription_consumers_in_one_process_apply_each_event_once_in_order(
    infra: Endpoints,
) -> None:
    async with running_service(
        create_care_team, CareTeamSettings, infra, prescription_consumers=2
    ) as service:
        patients = [unique("p-") for _ in range(6)]  # spread over the topic's partitions
        events = []
        for patient in patients:
            rx = unique("rx-")
            events += [
                rx_event("started", patient, rx, at=T0, medication={"name": "lithium"}),
                rx_event("changed", patient, rx, at=T0, medication={"name": "lithium"},
                         dose="400 mg"),
                rx_event("started", patient, unique("rx-"), at=T0,
                         medication={"name": "melatonin"}),
            ]  # fmt: skip
        await publish(service, *events)
        for patient in patients:
            listed = await eventually(
                lambda p=patient: medication_list(service, p, service_auth()),  # type: ignore[misc]
                lambda r: r.status_code == 200 and "melatonin" in by_name(r),
            )
            assert by_name(listed)["lithium"]["dose"] == "400 mg"  # the change came after
        changes = await service.runtime.pool.fetchval(
            "SELECT count(*) FROM prescription_changes WHERE patient_id = any($1::text[])",
            patients,
        )
        assert changes == len(events)
        admin = AIOKafkaAdminClient(bootstrap_servers=service.settings.kafka_bootstrap_servers)
        await admin.start()
        try:
            group = service.runtime.consumer_group("prescriptions")
            [response] = await admin.describe_consumer_groups([group])
        finally:
            await admin.close()
        members = response.groups[0][5]
        assert len(members) == 2  # both consumers took part, each with its own partitions
