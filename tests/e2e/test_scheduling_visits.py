"""Visits on real PostgreSQL and Kafka: no double booking under concurrency (the exclusion
constraint), and every status move announced once."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.scheduling.app import create_app
from services.scheduling.settings import SchedulingSettings
from shared.events.registry import Topic
from tests.support.clock import TestClock
from tests.support.ids import unique
from tests.support.infrastructure import Endpoints
from tests.support.kafka_probe import TopicProbe, events_with
from tests.support.services import RunningService, running_service
from tests.support.tokens import clinician_auth, patient_auth, service_auth

SOON = (datetime.now(UTC) + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)


@pytest.fixture
def clock() -> TestClock:
    return TestClock()


@pytest.fixture
async def scheduling_at(infra: Endpoints, clock: TestClock) -> AsyncIterator[RunningService]:
    async with running_service(
        create_app, SchedulingSettings, infra, app_kwargs={"clock": clock}, loop_interval_s=3600
    ) as service:
        yield service


def visit(patient: str, clinician: str, starts_at: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "patient_id": patient,
        "clinician_ids": [clinician],
        "type": "follow_up",
        "starts_at": starts_at.isoformat(),
        **extra,
    }


async def test_fifty_concurrent_bookings_of_one_slot_book_exactly_one(
    scheduling_at: RunningService,
) -> None:
    http, clinician = scheduling_at.http, unique("dr-")
    patients = [unique("p-") for _ in range(50)]
    topic = scheduling_at.settings.topic(Topic.VISITS)
    async with TopicProbe(scheduling_at.settings.kafka_bootstrap_servers, topic) as probe:
        responses = await asyncio.gather(
            *(
                http.post(
                    "/visits",
                    # Overlapping, not identical: 0-30, 5-35, 10-40 ... minutes past nine.
                    json=visit(p, clinician, SOON + timedelta(minutes=5 * (i % 5))),
                    headers=service_auth(),
                )
                for i, p in enumerate(patients)
            )
        )
        codes = sorted(r.status_code for r in responses)
        assert codes == [201] + [409] * 49, codes
        [winner] = [r.json() for r in responses if r.status_code == 201]
        refused = next(r for r in responses if r.status_code == 409)
        assert refused.json()["detail"] == f"clinician {clinician} already has a visit at that time"
        records = await probe.wait_for(
            lambda rs: bool(events_with(rs, visit_id=winner["visit_id"])), what="visit.booked"
        )
    booked = [e for e in events_with(records, type="org.carecoord.visit.booked.v1")
              if e["data"]["clinician_ids"] == [clinician]]  # fmt: skip
    assert [e["data"]["visit_id"] for e in booked] == [winner["visit_id"]]
    stored = await scheduling_at.runtime.pool.fetchval(
        "SELECT count(*) FROM visits WHERE $1 = ANY (clinician_ids)", clinician
    )
    assert stored == 1


async def test_a_visit_moves_through_its_statuses_and_each_move_is_announced(
    scheduling_at: RunningService, clock: TestClock
) -> None:
    http, clinician, patient = scheduling_at.http, unique("dr-"), unique("p-")
    other_patient = unique("p-")
    doctor = clinician_auth(clinician, role="headache_specialist")
    first = (
        await http.post("/visits", json=visit(patient, clinician, SOON), headers=doctor)
    ).json()
    later = SOON + timedelta(hours=2)
    second = await http.post("/visits", json=visit(other_patient, clinician, later), headers=doctor)
    assert second.status_code == 201, second.text
    url = f"/visits/{first['visit_id']}"

    # Into the other patient's time: refused by the database, nothing changes.
    clash = await http.post(f"{url}/reschedule", json={"starts_at": later.isoformat()},
                            headers=patient_auth(patient))  # fmt: skip
    assert clash.status_code == 409, clash.text
    early = await http.post(f"{url}/complete", json={}, headers=doctor)
    assert (early.status_code, early.json()["detail"]) == (409, "the visit has not started yet")
    moved = await http.post(f"{url}/reschedule",
                            json={"starts_at": (SOON + timedelta(hours=1)).isoformat()},
                            headers=patient_auth(patient))  # fmt: skip
    assert moved.status_code == 200, moved.text
    # The old time is free again: another patient books it.
    again = await http.post("/visits", json=visit(unique("p-"), clinician, SOON), headers=doctor)
    assert again.status_code == 201, again.text

    clock.set(SOON + timedelta(hours=1, minutes=10))
    patient_says = await http.post(f"{url}/complete", json={}, headers=patient_auth(patient))
    assert patient_says.status_code == 403
    done = await http.post(f"{url}/complete", json={"outcome_note": "amitriptyline started"},
                           headers=doctor)  # fmt: skip
    assert done.json()["status"] == "fulfilled", done.text
    assert (await http.post(f"{url}/cancel", json={"reason": "late"},
                            headers=doctor)).status_code == 409  # fmt: skip
    cancelled = await http.post(f"/visits/{second.json()['visit_id']}/cancel",
                                json={"reason": "patient unwell"}, headers=doctor)  # fmt: skip
    assert cancelled.json()["status"] == "cancelled"

    topic = scheduling_at.settings.topic(Topic.VISITS)
    async with TopicProbe(scheduling_at.settings.kafka_bootstrap_servers, topic) as probe:
        records = await probe.wait_for(
            lambda rs: bool(
                events_with(rs, type="org.carecoord.visit.cancelled.v1", patient_id=other_patient)
            ),
            what="the cancellation",
        )
    mine = [e["type"].split(".")[-2] for e in events_with(records, visit_id=first["visit_id"])]
    assert mine == ["booked", "rescheduled", "completed"]
    [completed] = events_with(records, type="org.carecoord.visit.completed.v1",
                              visit_id=first["visit_id"])  # fmt: skip
    assert completed["data"]["outcome_note"] == "amitriptyline started"
    [cancel] = events_with(records, type="org.carecoord.visit.cancelled.v1",
                           patient_id=other_patient)  # fmt: skip
    assert (cancel["data"]["reason"], cancel["data"]["cancelled_by"]) == (
        "patient unwell",
        clinician,
    )


async def test_who_sees_which_visits(scheduling_at: RunningService) -> None:
    http, clinician, patient = scheduling_at.http, unique("dr-"), unique("p-")
    booked = await http.post("/visits", json=visit(patient, clinician, SOON),
                             headers=patient_auth(patient))  # fmt: skip
    assert booked.status_code == 201, booked.text
    window = {"from": (SOON - timedelta(days=1)).isoformat()}
    own = await http.get("/visits", params={**window, "clinician_id": clinician},
                         headers=clinician_auth(clinician))  # fmt: skip
    assert [v["patient_id"] for v in own.json()] == [patient]
    other = await http.get("/visits", params={**window, "clinician_id": clinician},
                           headers=clinician_auth("dr-other"))  # fmt: skip
    assert other.status_code == 403
    mine = await http.get("/visits", params={**window, "patient_id": patient},
                          headers=patient_auth(patient))  # fmt: skip
    assert len(mine.json()) == 1
    stranger = await http.get("/visits", params={**window, "patient_id": patient},
                              headers=patient_auth(unique("p-")))  # fmt: skip
    assert stranger.status_code == 404
    audited = await scheduling_at.runtime.pool.fetchval(
        "SELECT count(*) FROM audit_log WHERE patient_id = $1", patient
    )
    assert audited == 3  # the clinician's schedule read, the patient's read, the refusal
