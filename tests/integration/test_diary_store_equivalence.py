"""The stored path computes what the clinical core computes from facts in memory: the bench's
five seeded years, stored as rows (typed columns derived on write), give the same bucketed
days and the same clinician summary as the facts they were made from."""

import random
from dataclasses import replace
from datetime import UTC

import asyncpg

from bench import diary_store_bench as stored
from bench.diary_bench import AS_OF, ZONE, build_diary
from services.diary.alerting import summarise
from services.diary.app import MIGRATIONS
from services.diary.domain.clinical.days import classify_days
from services.diary.domain.clinical.summary import clinician_summary
from shared.db import create_pool
from shared.migrations import apply_migrations, service_migrations
from tests.support.ids import unique
from tests.support.infrastructure import Endpoints


async def test_five_stored_years_summarise_as_the_facts_in_memory(infra: Endpoints) -> None:
    schema = unique("diary_equivalence_")
    await apply_migrations(infra.database_url, schema, service_migrations("diary", MIGRATIONS))
    pool: asyncpg.Pool = await create_pool(infra.database_url, schema=schema, application_name="t")
    try:
        await stored.seed(pool, years=5)
        async with pool.acquire() as conn:
            days, summary = await summarise(conn, stored.PATIENT, now=AS_OF.astimezone(UTC))
    finally:
        await pool.close()

    attacks, checkins, questionnaires = build_diary(5, random.Random(2026))
    # Stored entries carry uuids derived from the in-memory ids (bench.diary_store_bench._id).
    attacks = [replace(a, attack_id=stored._id("attack", a.attack_id)) for a in attacks]
    questionnaires = [
        replace(q, questionnaire_id=stored._id("questionnaire", q.questionnaire_id))
        for q in questionnaires
    ]
    expected_days = classify_days(attacks, checkins, ZONE, as_of=AS_OF)
    assert dict(days.records) == dict(expected_days.records)
    assert dict(days.checkins) == dict(expected_days.checkins)
    assert (days.zone, days.through, days.first_day) == (
        expected_days.zone,
        expected_days.through,
        expected_days.first_day,
    )
    assert summary == clinician_summary(expected_days, questionnaires)
