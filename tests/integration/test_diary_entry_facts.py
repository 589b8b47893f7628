"""The typed fact columns (migration 0006) follow each entry's JSON: written with it, rewritten
by a correction (the latest revision wins), ignored once deleted, and backfilled for entries
stored before the migration."""

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest

from services.diary.adapters import repository
from services.diary.adapters.facts import attack_facts, checkin_facts, questionnaire_facts
from services.diary.app import MIGRATIONS
from services.diary.domain.clinical.facts import (
    CheckinFacts,
    Hit6Answer,
    Hit6Answers,
    IntakeFacts,
    Relief,
)
from services.diary.domain.entries import EntryKind
from services.diary.entries import correct, delete, record
from services.diary.entry_kinds import ATTACK, CHECKIN, QUESTIONNAIRE
from shared.db import Connection, create_pool
from shared.events.diary import EntryType
from shared.migrations import apply_migrations, service_migrations
from tests.support.ids import unique
from tests.support.infrastructure import Endpoints

STARTED = datetime(2026, 11, 20, 7, 30, tzinfo=UTC)
NOW = STARTED + timedelta(days=3)
AS_WRITTEN: dict[str, Any] = {"topic": "t.diary", "now": NOW}


async def _pool(dsn: str, schema: str) -> asyncpg.Pool:
    return await create_pool(dsn, schema=schema, application_name="test")


@pytest.fixture
async def pool(infra: Endpoints) -> AsyncIterator[asyncpg.Pool]:
    schema = unique("diary_entry_facts_")
    await apply_migrations(infra.database_url, schema, service_migrations("diary", MIGRATIONS))
    pool = await _pool(infra.database_url, schema)
    try:
        yield pool
    finally:
        await pool.close()


def attack(**changes: Any) -> dict[str, Any]:
    return {
        "started_at": STARTED.isoformat(),
        "ended_at": (STARTED + timedelta(hours=5)).isoformat(),
        "intensity": 2,
        "features": {"location": "bilateral", "nausea": False},
        "medications": [{"name": "ibuprofen", "taken_at": STARTED.isoformat()}],
        **changes,
    }


async def save(
    conn: Connection, kind: EntryKind, patient: str, entry_id: UUID, values: dict[str, Any]
) -> None:
    await record(conn, kind, patient, entry_id, {"entry_id": entry_id, **values}, **AS_WRITTEN)


async def fix(
    conn: Connection, kind: EntryKind, patient: str, entry_id: UUID, values: dict[str, Any]
) -> None:
    await correct(conn, kind, patient, entry_id, {"entry_id": entry_id, **values}, **AS_WRITTEN)


async def loaded(conn: Connection, patient: str) -> tuple[list[Any], list[Any], list[Any]]:
    return (
        [attack_facts(r) for r in await repository.attack_fact_rows(conn, patient)],
        [checkin_facts(r) for r in await repository.checkin_fact_rows(conn, patient)],
        [questionnaire_facts(r) for r in await repository.questionnaire_fact_rows(conn, patient)],
    )


async def test_a_correction_rewrites_the_facts_and_a_deletion_drops_them(
    pool: asyncpg.Pool,
) -> None:
    patient, attack_id, checkin_id = unique("p-"), uuid4(), uuid4()
    taken = STARTED + timedelta(minutes=40)
    async with pool.acquire() as conn:
        await save(conn, ATTACK, patient, attack_id, attack())
        day = {"date": "2026-11-20", "mood": 4, "stress": 7}
        await save(conn, CHECKIN, patient, checkin_id, day)
        fixed = attack(
            ended_at=None,
            intensity=3,
            features={"location": "unilateral", "nausea": True, "aura_symptoms": ["visual"]},
            triggers=["sleep"],
            medications=[
                {"name": "Maxalt", "dose": "10 mg", "taken_at": taken.isoformat()},
                {"name": "metoclopramide", "taken_at": taken.isoformat()},
            ],
            relief_at_2h="pain_free",
        )
        await fix(conn, ATTACK, patient, attack_id, fixed)
        await fix(conn, CHECKIN, patient, checkin_id, {**day, "stress": 2})
        [corrected], [checkin], _ = await loaded(conn, patient)

        await delete(conn, EntryType.ATTACK, patient, attack_id, **AS_WRITTEN)
        await delete(conn, EntryType.CHECKIN, patient, checkin_id, **AS_WRITTEN)
        after_deletion = await loaded(conn, patient)

    assert corrected.attack_id == str(attack_id) and corrected.ended_at is None
    assert (corrected.intensity, corrected.unilateral, corrected.nausea) == (3, True, True)
    assert corrected.aura_symptoms == ("visual",) and corrected.triggers == ("sleep",)
    assert [(m.name, m.dose, m.taken_at) for m in corrected.medications] == [
        ("Maxalt", "10 mg", taken),
        ("metoclopramide", None, taken),
    ]
    assert corrected.relief_at_2h is Relief.PAIN_FREE
    assert checkin == CheckinFacts(day=date(2026, 11, 20), mood=4, stress=2)
    assert after_deletion == ([], [], [])


async def test_a_questionnaire_keeps_its_answers_and_the_offset_it_was_sent_with(
    pool: asyncpg.Pool,
) -> None:
    patient, entry_id = unique("p-"), uuid4()
    completed = datetime.fromisoformat("2026-11-21T20:15:00+01:00")
    values = {
        "instrument": "hit6",
        "completed_at": completed.isoformat(),
        "answers": ["never", "Very often", "always", "rarely", "sometimes", "never"],
    }
    async with pool.acquire() as conn:
        await save(conn, QUESTIONNAIRE, patient, entry_id, values)
        _, _, [loaded_q] = await loaded(conn, patient)

    assert loaded_q.questionnaire_id == str(entry_id)
    assert loaded_q.completed_at.isoformat() == completed.isoformat()
    assert loaded_q.answers == Hit6Answers(
        (Hit6Answer.NEVER, Hit6Answer.VERY_OFTEN, Hit6Answer.ALWAYS, Hit6Answer.RARELY,
         Hit6Answer.SOMETIMES, Hit6Answer.NEVER)
    )  # fmt: skip


async def test_entries_stored_before_the_migration_are_backfilled(infra: Endpoints) -> None:
    schema, patient = unique("diary_backfill_"), unique("p-")
    migrations = service_migrations("diary", MIGRATIONS)
    # The schema as it was before 0006 (later migrations may need its columns).
    cut = next(i for i, m in enumerate(migrations) if m.name.endswith("0006_entry_facts.sql"))
    before = migrations[:cut]
    await apply_migrations(infra.database_url, schema, before)
    pool = await _pool(infra.database_url, schema)
    try:
        async with pool.acquire() as conn:  # as the service stored them before 0006
            first, second = uuid4(), uuid4()
            values = {"entry_id": first, **attack()}
            await record(conn, ATTACK, patient, first, values, **AS_WRITTEN, alerts=False)
            day = {
                "entry_id": second,
                "date": "2026-11-20",
                "sleep_hours": 6.5,
                "menstruation": True,
            }
            await record(conn, CHECKIN, patient, second, day, **AS_WRITTEN, alerts=False)
    finally:
        await pool.close()
    await apply_migrations(infra.database_url, schema, migrations)
    pool = await _pool(infra.database_url, schema)
    try:
        async with pool.acquire() as conn:
            [attack_loaded], [checkin], [] = await loaded(conn, patient)
    finally:
        await pool.close()

    assert attack_loaded.started_at == STARTED and attack_loaded.unilateral is False
    assert attack_loaded.ended_at == STARTED + timedelta(hours=5)
    assert attack_loaded.medications == (IntakeFacts.named("ibuprofen", STARTED),)
    assert checkin == CheckinFacts(day=date(2026, 11, 20), sleep_hours=6.5, menstruation=True)
