"""asyncpg pool for a service: its own schema on the search path, JSON codecs set."""

import json
from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

# What repositories accept: a plain connection or one borrowed from the pool.
Connection: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"


async def _set_json_codecs(conn: Connection) -> None:
    for typename in ("json", "jsonb"):
        await conn.set_type_codec(
            typename, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )


async def create_pool(
    dsn: str, *, schema: str, application_name: str, min_size: int = 2, max_size: int = 10
) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=_set_json_codecs,
        server_settings={"search_path": f"{schema},public", "application_name": application_name},
    )
    assert pool is not None  # create_pool only returns None when used as an awaitable context
    return pool
