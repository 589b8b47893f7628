"""The diary's typed read path: entries recorded by the service come back from PostgreSQL as
the same clinical facts, field by field (the columns are extracted on the server)."""

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import asyncpg
import pytest

from services.diary.adapters import repository
from services.diary.adapters.facts import attack_facts, checkin_facts
from services.diary.app import MIGRATIONS
from services.diary.domain.clinical.acute_drugs import AcuteClass
from services.diary.domain.clinical.facts import CheckinFacts, IntakeFacts, Relief
from services.diary.domain.entries import EntryKind
from services.diary.entries import record
from services.diary.entry_kinds import ATTACK, CHECKIN
from shared.db import Connection, create_pool
from shared.migrations import apply_migrations, service_migrations
from tests.support.ids import unique
from tests.support.infrastructure import Endpoints

STARTED = datetime(2026, 11, 20, 7, 30, tzinfo=UTC)
NOW = STARTED + timedelta(days=3)


@pytest.fixture
async def pool(infra: Endpoints) -> AsyncIterator[asyncpg.Pool]:
    schema = unique("diary_facts_")
    await apply_migrations(infra.database_url, schema, service_migrations("diary", MIGRATIONS))
    pool = await create_pool(infra.database_url, schema=schema, application_name="test")
    try:
        yield pool
    finally:
        await pool.close()


async def save(conn: Connection, kind: EntryKind, patient: str, values: dict[str, Any]) -> None:
    """As the API records an entry (no alerts: nothing here is about them)."""
    await record(
        conn, kind, patient, values["entry_id"], values, topic="t.diary", now=NOW, alerts=False
    )


async def test_an_attack_with_every_field_loads_as_its_facts(pool: asyncpg.Pool) -> None:
    patient, entry_id = unique("p-"), uuid4()
    taken = STARTED.astimezone() + timedelta(minutes=20)  # an offset other than UTC
    values = {
        "started_at": STARTED.isoformat(),
        "ended_at": (STARTED + timedelta(hours=9)).isoformat(),
        "intensity": 3,
        "features": {
            "location": "unilateral",
            "pulsating": True,
            "aggravated_by_activity": False,
            "nausea": True,
            "vomiting": None,
            "photophobia": True,
            "phonophobia": False,
            "aura": True,
            "aura_symptoms": ["visual", "sensory"],
        },
        "triggers": ["stress", "sleep"],
        "medications": [
            {"name": "Imitrex", "dose": "50 mg", "taken_at": taken.isoformat()},
            {"name": "ibuprofen", "taken_at": (taken + timedelta(hours=2)).isoformat()},
        ],
        "relief_at_2h": "partial",
    }
    async with pool.acquire() as conn:
        await save(conn, ATTACK, patient, {"entry_id": entry_id, **values})
        ongoing = {"started_at": (STARTED + timedelta(days=1)).isoformat(), "intensity": 1}
        await save(conn, ATTACK, patient, {"entry_id": uuid4(), **ongoing})
        [full, bare] = [
            attack_facts(row) for row in await repository.attack_fact_rows(conn, patient)
        ]

    assert full.attack_id == str(entry_id)
    assert (full.started_at, full.ended_at) == (STARTED, STARTED + timedelta(hours=9))
    assert full.intensity == 3 and full.unilateral is True and full.pulsating is True
    assert (full.aggravated_by_activity, full.nausea, full.vomiting) == (False, True, None)
    assert (full.photophobia, full.phonophobia, full.aura) == (True, False, True)
    assert full.aura_symptoms == ("visual", "sensory") and full.triggers == ("stress", "sleep")
    assert full.medications == (
        IntakeFacts(name="Imitrex", acute_class=AcuteClass.TRIPTAN, taken_at=taken, dose="50 mg"),
        IntakeFacts(
            name="ibuprofen",
            acute_class=AcuteClass.SIMPLE_ANALGESIC,
            taken_at=taken + timedelta(hours=2),
        ),
    )
    assert full.relief_at_2h is Relief.PARTIAL
    assert bare.ended_at is None and bare.unilateral is None and bare.medications == ()
    assert bare.aura_symptoms == () and bare.relief_at_2h is None


async def test_check_ins_load_in_day_order_with_their_fields(pool: asyncpg.Pool) -> None:
    patient = unique("p-")
    later = {"date": "2026-11-21", "mood": 7, "stress": 2, "sleep_hours": 7.5}
    earlier = {
        "date": "2026-11-20",
        "mood": 3,
        "stress": 8,
        "sleep_hours": 5.0,
        "sleep_quality": 4,
        "menstruation": True,
        "alcohol_units": 1.5,
        "skipped_meals": 1,
        "caffeine_mg": 200.0,
    }
    async with pool.acquire() as conn:
        for values in (later, earlier):  # out of order
            await save(conn, CHECKIN, patient, {"entry_id": uuid4(), **values})
        loaded = [checkin_facts(row) for row in await repository.checkin_fact_rows(conn, patient)]

    assert loaded == [
        CheckinFacts(
            day=date(2026, 11, 20), mood=3, stress=8, sleep_hours=5.0, sleep_quality=4,
            menstruation=True, alcohol_units=1.5, skipped_meals=1, caffeine_mg=200.0,
        ),
        CheckinFacts(day=date(2026, 11, 21), mood=7, stress=2, sleep_hours=7.5),
    ]  # fmt: skip
