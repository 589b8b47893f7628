from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from shared import outbox
from shared.runtime import ServiceRuntime
from tests.support.infrastructure import Endpoints
from tests.support.probe_service import PROBE_TOPIC, ProbeEvent, ProbeSettings, build_probe
from tests.support.settings import isolated_settings

pytestmark = pytest.mark.integration


@dataclass
class Probe:
    runtime: ServiceRuntime
    attempts: Counter[str]
    settings: ProbeSettings

    @property
    def topic(self) -> str:
        return self.settings.topic(PROBE_TOPIC)

    async def stage(self, *events: ProbeEvent) -> None:
        """Each event in its own committed transaction, through the outbox."""
        for event in events:
            async with self.runtime.pool.acquire() as conn, conn.transaction():
                await outbox.enqueue(conn, event, topic=self.topic, key=event.data.patient_id)


@pytest.fixture
def probe_settings(infra: Endpoints) -> ProbeSettings:
    return isolated_settings(ProbeSettings, infra, consumer_max_attempts=3)


@pytest.fixture
async def probe(probe_settings: ProbeSettings) -> AsyncIterator[Probe]:
    runtime, attempts = build_probe(probe_settings)
    await runtime.start()
    try:
        yield Probe(runtime, attempts, probe_settings)
    finally:
        await runtime.stop()


@pytest.fixture
async def batch_probe(probe_settings: ProbeSettings) -> AsyncIterator[Probe]:
    """The probe with a batch subscriber: a batch of records per transaction."""
    runtime, attempts = build_probe(probe_settings, batch=True)
    await runtime.start()
    try:
        yield Probe(runtime, attempts, probe_settings)
    finally:
        await runtime.stop()
