"""Benchmark: a patient's diary metrics from PostgreSQL, five years of daily entries.

    python bench/diary_store_bench.py [--years 5] [--runs 30]

`bench/diary_bench.py` times the clinical core on facts already in memory; this one times
what the service does: the same seeded diary stored as the API stores it (one `entries` row
per check-in, attack and questionnaire, in the diary's own schema and migrations), then

* measures: what `GET /patients/{id}/measures` computes (load every entry's typed fact
  columns, turn them into facts, bucket the days, summarise: 28/30-day endpoints, overuse,
  stress, trends);
* a new entry: the alert decision that runs in every write's transaction.

Uses DATABASE_URL when set; else starts the project's own PostgreSQL (devstack, instance
"bench") and stops it afterwards.
"""

import argparse
import asyncio
import json
import random
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, uuid5

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.core.stats import percentile, time_async_calls
from bench.diary_bench import AS_OF, GOAL_MS, ZONE, build_diary
from bench.postgres import bench_database
from services.diary.alerting import raise_due_alerts, summarise
from services.diary.app import MIGRATIONS
from services.diary.domain.clinical.facts import (
    AttackFacts,
    CheckinFacts,
    Gad7Answers,
    Hit6Answers,
    MidasAnswers,
    Phq9Answers,
    QuestionnaireFacts,
)
from services.diary.domain.clinical.measures import window_measures
from services.diary.heap import settle_heap
from shared.db import create_pool
from shared.migrations import apply_migrations, service_migrations

PATIENT = "p-bench"
SCHEMA = "diary_bench"


def _id(kind: str, key: str) -> str:
    return str(uuid5(NAMESPACE_URL, f"carecoord-bench/{kind}/{key}"))


def attack_row(a: AttackFacts) -> tuple[str, str, datetime, None, dict[str, Any]]:
    entry_id = _id("attack", a.attack_id)
    data = {
        "entry_id": entry_id,
        "patient_id": PATIENT,
        "revision": 1,
        "started_at": a.started_at.isoformat(),
        "ended_at": a.ended_at.isoformat() if a.ended_at else None,
        "intensity": a.intensity,
        "features": {
            "location": None
            if a.unilateral is None
            else "unilateral"
            if a.unilateral
            else "bilateral",
            "pulsating": a.pulsating,
            "nausea": a.nausea,
            "photophobia": a.photophobia,
            "phonophobia": a.phonophobia,
            "aura": a.aura,
            "aura_symptoms": [],
        },
        "triggers": [],
        "medications": [
            {"name": m.name, "dose": m.dose, "taken_at": m.taken_at.isoformat()}
            for m in a.medications
        ],
        "relief_at_2h": a.relief_at_2h.value if a.relief_at_2h else None,
        "recorded_at": a.started_at.isoformat(),
    }
    return entry_id, "attack", a.started_at, None, data


def _location(unilateral: bool | None) -> str | None:
    return None if unilateral is None else "unilateral" if unilateral else "bilateral"


def checkin_row(c: CheckinFacts) -> tuple[str, str, datetime, Any, dict[str, Any]]:
    entry_id = _id("checkin", c.day.isoformat())
    at = datetime(c.day.year, c.day.month, c.day.day, 21, tzinfo=ZONE)
    data = {
        "entry_id": entry_id,
        "patient_id": PATIENT,
        "revision": 1,
        "date": c.day.isoformat(),
        "mood": c.mood,
        "stress": c.stress,
        "sleep_hours": c.sleep_hours,
        "sleep_quality": c.sleep_quality,
        "recorded_at": at.isoformat(),
    }
    return entry_id, "checkin", at, c.day, data


def questionnaire_row(q: QuestionnaireFacts) -> tuple[str, str, datetime, None, dict[str, Any]]:
    entry_id = _id("questionnaire", q.questionnaire_id)
    answers = q.answers
    values: list[int | str]
    if isinstance(answers, Hit6Answers):
        instrument, values = "hit6", [a.value for a in answers.items]
    else:
        instrument = {Phq9Answers: "phq9", Gad7Answers: "gad7", MidasAnswers: "midas"}[
            type(answers)
        ]
        values = list(answers.items)
    data = {
        "entry_id": entry_id,
        "patient_id": PATIENT,
        "revision": 1,
        "instrument": instrument,
        "completed_at": q.completed_at.isoformat(),
        "answers": values,
        "recorded_at": q.completed_at.isoformat(),
    }
    return entry_id, "questionnaire", q.completed_at, None, data


async def timed(work: Callable[[], Awaitable[object]], runs: int) -> tuple[float, float]:
    """(median, p95) ms over `runs` after one warm-up."""
    samples = await time_async_calls(work, runs)
    return percentile(samples, 50), percentile(samples, 95)


async def seed(pool: asyncpg.Pool, years: int, say: Callable[[str], None] = print) -> None:
    """The seeded diary, stored as the API stores it (and then let go: a service instance
    holds no diary in memory)."""
    attacks, checkins, questionnaires = build_diary(years, random.Random(2026))  # noqa: S311
    rows = [
        *(attack_row(a) for a in attacks),
        *(checkin_row(c) for c in checkins),
        *(questionnaire_row(q) for q in questionnaires),
    ]
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("DELETE FROM entries WHERE patient_id = $1", PATIENT)
        await conn.execute(
            """INSERT INTO patient_settings (patient_id, timezone) VALUES ($1, $2)
               ON CONFLICT (patient_id) DO UPDATE SET timezone = excluded.timezone""",
            PATIENT,
            ZONE.key,
        )
        await conn.executemany(
            """INSERT INTO entries (patient_id, entry_id, entry_type, occurred_at,
                                    local_date, data) VALUES ($1, $2, $3, $4, $5, $6)""",
            [(PATIENT, *row) for row in rows],
        )
    # Freshly written pages are not yet all-visible; autovacuum would get there on its own.
    await pool.execute("VACUUM ANALYZE entries")
    say(
        f"{years} years stored: {len(checkins)} check-ins, {len(attacks)} attacks, "
        f"{len(questionnaires)} questionnaires ({len(rows)} rows, "
        f"{sum(len(json.dumps(r[4])) for r in rows) / 1e6:.1f} MB of JSON)"
    )


async def run(
    dsn: str, years: int, runs: int, say: Callable[[str], None] = print
) -> dict[str, tuple[float, float]]:
    """(median, p95) ms of "measures" and "alert decision"; progress and results to `say`."""
    await apply_migrations(dsn, SCHEMA, service_migrations("diary", MIGRATIONS))
    pool = await create_pool(dsn, schema=SCHEMA, application_name="bench", min_size=1, max_size=2)
    try:
        await seed(pool, years, say)
        # The process as the service runs it (services/diary/__main__): start-up heap frozen,
        # the collector's young threshold raised.
        settle_heap()
        now = AS_OF.astimezone(UTC)

        async def measures() -> object:
            async with pool.acquire() as conn:
                days, summary = await summarise(conn, PATIENT, now=now)
            return window_measures(days), summary

        async def alert_decision() -> object:
            async with pool.acquire() as conn, conn.transaction():
                return await raise_due_alerts(conn, PATIENT, topic="bench.diary", now=now)

        results = {}
        for name, work in (("measures", measures), ("alert decision", alert_decision)):
            median, p95 = await timed(work, runs)
            results[name] = (median, p95)
            verdict = "meets" if median < GOAL_MS else "MISSES"
            say(
                f"  {name:<16} median {median:7.2f} ms  p95 {p95:7.2f} ms  "
                f"({verdict} the {GOAL_MS:.0f} ms goal)"
            )
        return results
    finally:
        await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with bench_database() as dsn:
        asyncio.run(run(dsn, args.years, args.runs))


if __name__ == "__main__":
    main()
