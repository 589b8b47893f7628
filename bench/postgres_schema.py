"""A throw-away schema with the project's inbox and outbox tables and a state table."""

import contextlib
import os
from collections.abc import AsyncIterator

import asyncpg

from shared.db import create_pool
from shared.migrations import SHARED_SQL_DIR, apply_migrations, load_migrations

CONSUMER_TOPIC = "bench.prescriptions"  # where the inbox says the events came from
OUTBOX_TOPIC = "bench.medication-list"
EVENT_TYPE = "org.carecoord.bench.medication-list.changed.v1"

STATE_TABLE = """CREATE TABLE medication_state (
    patient_id    text PRIMARY KEY,
    version       bigint NOT NULL,
    last_event_id text NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now())"""


@contextlib.asynccontextmanager
async def fresh_schema(
    database_url: str, connections: int = 4
) -> AsyncIterator[tuple[str, asyncpg.Pool]]:
    """(schema, pool on it); the schema is dropped afterwards."""
    schema = f"bench_limit_{os.getpid()}"
    await _drop(database_url, schema)
    await apply_migrations(database_url, schema, load_migrations(("shared", SHARED_SQL_DIR)))
    pool = await create_pool(
        database_url,
        schema=schema,
        application_name="bench",
        min_size=connections,
        max_size=connections,
    )
    try:
        await pool.execute(STATE_TABLE)
        yield schema, pool
    finally:
        await pool.close()
        await _drop(database_url, schema)


async def reset(pool: asyncpg.Pool) -> None:
    """Empty tables between variants, so each starts from the same state."""
    await pool.execute("TRUNCATE inbox, outbox, medication_state")


async def _drop(database_url: str, schema: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()
