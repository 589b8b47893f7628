"""The patients of the latency benchmark, set up the way real ones arrive.

Each patient has a psychiatrist and a headache specialist on the team and the
psychiatrist's fluoxetine 20 mg on the list. The fluoxetine comes as an EHR
`prescription.started` on Kafka (its prescriber joins the team, as for a real EHR feed);
the headache specialist is added through the care-team API by an integration,
concurrently. A few clinicians share all the patients, so each psychiatrist's stream
carries many patients' notifications, as in real use.
"""

import asyncio
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from bench.care_team_process import CareTeamUnderTest
from bench.kafka_topics import partitions_of
from bench.raw_http import RawHttpClient
from shared.auth import PrincipalKind, mint_token
from shared.events.registry import Topic

PSYCHIATRISTS = 8
HEADACHE_SPECIALISTS = 8
SETUP_CONCURRENCY = 32
SETUP_LIMIT_S = 180.0


@dataclass(frozen=True)
class Population:
    patients: list[str]
    tag: str

    def psychiatrist(self, index: int) -> str:
        return f"dr-psy-{self.tag}-{index % PSYCHIATRISTS}"

    def headache_specialist(self, index: int) -> str:
        return f"dr-neu-{self.tag}-{index % HEADACHE_SPECIALISTS}"

    @property
    def psychiatrists(self) -> list[str]:
        return [self.psychiatrist(i) for i in range(min(PSYCHIATRISTS, len(self.patients)))]


def bearer(secret: str, subject: str, kind: PrincipalKind, role: str = "") -> dict[str, str]:
    token = mint_token(secret, subject=subject, kind=kind, roles=(role,) if role else ())
    return {"Authorization": f"Bearer {token}"}


def _fluoxetine(population: Population, index: int) -> bytes:
    patient = population.patients[index]
    at = datetime.now(UTC).isoformat()
    return json.dumps(
        {
            "specversion": "1.0",
            "id": f"ehr-{patient}",
            "source": "/ehr/bench",
            "type": "org.carecoord.prescription.started.v1",
            "subject": f"patient/{patient}",
            "time": at,
            "datacontenttype": "application/json",
            "data": {
                "prescription_id": f"rx-fluox-{patient}",
                "patient_id": patient,
                "prescriber": {"id": population.psychiatrist(index), "role": "psychiatrist"},
                "effective_at": at,
                "medication": {"name": "fluoxetine"},
                "dose": "20 mg",
                "frequency": "once daily",
            },
        }
    ).encode()


async def set_up(
    service: CareTeamUnderTest, bootstrap: str, population: Population, http: RawHttpClient
) -> None:
    """Both halves at once; returns when the service has applied every EHR event."""
    topic = service.topic(Topic.PRESCRIPTIONS)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, linger_ms=5)
    await producer.start()
    try:
        sends = [
            await producer.send(topic, _fluoxetine(population, i), key=patient.encode())
            for i, patient in enumerate(population.patients)
        ]
        await _add_headache_specialists(service, population, http)
        await asyncio.gather(*sends)
    finally:
        await producer.stop()
    await _until_consumed(bootstrap, topic, f"{service.consumer_group}.prescriptions")


async def _add_headache_specialists(
    service: CareTeamUnderTest, population: Population, http: RawHttpClient
) -> None:
    auth = bearer(service.jwt_secret, "bench-ehr-integration", PrincipalKind.SERVICE)
    pending = iter(enumerate(population.patients))

    async def worker() -> None:
        for index, patient in pending:
            body = {
                "clinician_id": population.headache_specialist(index),
                "role": "headache_specialist",
            }
            status, answer = await http.request(
                "POST", f"/patients/{patient}/care-team/members", auth, body
            )
            if status not in (200, 201):
                raise RuntimeError(f"adding a team member: HTTP {status} {answer[:200]!r}")

    await asyncio.gather(*(worker() for _ in range(SETUP_CONCURRENCY)))


async def _until_consumed(bootstrap: str, topic: str, group: str) -> None:
    """Until the group's committed offsets reach the end of every partition (offsets are
    committed after the database transaction, so the effects are visible by then)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="bench-latency-lag")
    await consumer.start()
    await admin.start()
    try:
        partitions = await partitions_of(bootstrap, topic)
        ends = await consumer.end_offsets(partitions)
        deadline = time.monotonic() + SETUP_LIMIT_S
        while time.monotonic() < deadline:
            committed = await admin.list_consumer_group_offsets(group, partitions=partitions)
            if all(
                (c := committed.get(tp)) is not None and c.offset >= end for tp, end in ends.items()
            ):
                return
            await asyncio.sleep(0.25)
        raise TimeoutError(f"care_team did not apply the setup events within {SETUP_LIMIT_S} s")
    finally:
        await admin.close()
        await consumer.stop()
