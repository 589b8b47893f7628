"""The limit, PostgreSQL: the transaction a consumer commits per event (inbox row +
state upsert + outbox row), one event per transaction and in batches, on a fresh schema
with the project's own inbox and outbox tables (and the outbox's NOTIFY trigger).
"""

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

import asyncpg

from bench.core.model import Figure, SectionResult
from bench.core.section import BenchContext, Section, register
from bench.core.stats import per_second
from bench.payload import event_id, patient_id, prescription_events
from bench.postgres_schema import CONSUMER_TOPIC, EVENT_TYPE, OUTBOX_TOPIC, fresh_schema, reset
from shared.db import Connection

EVENTS = 100_000
CONNECTIONS = 4
VARIANT_LIMIT_S = 8.0  # each variant stops after this long even if events remain
BATCHES = (100, 500)

CLAIM_ONE = """INSERT INTO inbox (consumer, event_id, topic, partition, "offset")
               VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING true"""
UPSERT_ONE = """INSERT INTO medication_state (patient_id, version, last_event_id)
                VALUES ($1, 1, $2) ON CONFLICT (patient_id) DO UPDATE
                SET version = medication_state.version + 1,
                    last_event_id = excluded.last_event_id, updated_at = now()"""
OUTBOX_ONE = """INSERT INTO outbox (topic, key, event_id, event_type, payload)
                VALUES ($1, $2, $3, $4, $5)"""
CLAIM_MANY = """INSERT INTO inbox (consumer, event_id, topic, partition, "offset")
                SELECT $1, e, $2, 0, o FROM unnest($3::text[], $4::bigint[]) AS t(e, o)
                ON CONFLICT DO NOTHING RETURNING event_id"""
UPSERT_MANY = """INSERT INTO medication_state (patient_id, version, last_event_id)
                 SELECT p, n, e FROM unnest($1::text[], $2::bigint[], $3::text[]) AS t(p, n, e)
                 ON CONFLICT (patient_id) DO UPDATE
                 SET version = medication_state.version + excluded.version,
                     last_event_id = excluded.last_event_id, updated_at = now()"""
OUTBOX_COLUMNS = ("topic", "key", "event_id", "event_type", "payload")


@dataclass(frozen=True)
class Workload:
    payloads: list[bytes]
    schema: str
    consumer: str

    def row(self, i: int) -> tuple[str, str, str, str, bytes]:
        return (OUTBOX_TOPIC, patient_id(i), event_id(i), EVENT_TYPE, self.payloads[i])


async def one_per_transaction(conn: Connection, work: Workload, indices: list[int]) -> None:
    (i,) = indices
    async with conn.transaction():
        if await conn.fetchval(CLAIM_ONE, work.consumer, event_id(i), CONSUMER_TOPIC, 0, i):
            await conn.execute(UPSERT_ONE, patient_id(i), event_id(i))
            await conn.execute(OUTBOX_ONE, *work.row(i))


async def batch_per_transaction(conn: Connection, work: Workload, indices: list[int]) -> None:
    async with conn.transaction():
        claimed = await conn.fetch(
            CLAIM_MANY, work.consumer, CONSUMER_TOPIC, [event_id(i) for i in indices], indices
        )
        fresh = {r["event_id"] for r in claimed}
        todo = [i for i in indices if event_id(i) in fresh]
        # One upsert row per patient: a statement may not update the same row twice.
        per_patient: dict[str, tuple[int, str]] = {}
        for i in todo:
            count, _ = per_patient.get(patient_id(i), (0, ""))
            per_patient[patient_id(i)] = (count + 1, event_id(i))
        await conn.execute(
            UPSERT_MANY,
            list(per_patient),
            [n for n, _ in per_patient.values()],
            [e for _, e in per_patient.values()],
        )
        await conn.copy_records_to_table(
            "outbox",
            records=[work.row(i) for i in todo],
            columns=OUTBOX_COLUMNS,
            schema_name=work.schema,
        )


Transaction = Callable[[Connection, Workload, list[int]], Awaitable[None]]


async def drive(
    pool: asyncpg.Pool, work: Workload, transaction: Transaction, batch: int
) -> tuple[int, int, float]:
    """(events, transactions, seconds) with CONNECTIONS workers sharing the events."""
    chunks: Iterator[list[int]] = (
        list(range(start, min(start + batch, len(work.payloads))))
        for start in range(0, len(work.payloads), batch)
    )
    events = transactions = 0
    deadline = time.perf_counter() + VARIANT_LIMIT_S

    async def worker() -> None:
        nonlocal events, transactions
        async with pool.acquire() as conn:
            # One generator shared by the workers: each takes the next chunk (single thread).
            for chunk in chunks:
                await transaction(conn, work, chunk)
                events += len(chunk)
                transactions += 1
                if time.perf_counter() > deadline:
                    return

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
    return events, transactions, time.perf_counter() - started


async def run(ctx: BenchContext) -> SectionResult:
    result = SectionResult()
    count = ctx.scaled(EVENTS, minimum=2000)
    payloads = [value for _, value in prescription_events(count)]
    async with fresh_schema(ctx.database_url) as (schema, pool):
        sync = await pool.fetchval("SHOW synchronous_commit")
        result.notes.append(f"synchronous_commit={sync}; {CONNECTIONS} connections")
        variants: list[tuple[str, Transaction, int]] = [
            ("1", one_per_transaction, 1),
            *((str(b), batch_per_transaction, b) for b in BATCHES),
        ]
        for name, transaction, batch in variants:
            ctx.step(f"inbox+state+outbox, {batch} event(s) per transaction")
            await reset(pool)
            work = Workload(payloads, schema, consumer=f"bench-{name}")
            events, transactions, seconds = await drive(pool, work, transaction, batch)
            what = "1 event per tx" if batch == 1 else f"{batch} events per tx"
            result.add(
                Figure(
                    f"postgres.tx_s.batch_{name}",
                    f"inbox+state+outbox, {what}",
                    per_second(transactions, seconds),
                    "tx/s",
                    note="reference [M]: 8,550 tx/s on an idle box, 8 connections"
                    if batch == 1
                    else "",
                )
            )
            result.add(
                Figure(
                    f"postgres.events_s.batch_{name}",
                    f"inbox+state+outbox, {what}",
                    per_second(events, seconds),
                    "events/s",
                    relative_to=None if batch == 1 else "postgres.events_s.batch_1",
                )
            )
    return result


register(
    Section(
        "postgres-limit",
        "limits",
        1,
        "the limit: asyncpg inbox+state+outbox transactions, unbatched and batched",
        run,
        needs=frozenset({"postgres"}),
        budget_s=35,
    )
)
