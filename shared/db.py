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


async def _keep_session(conn: Connection) -> None:
    """Run when a connection goes back to the pool, instead of asyncpg's reset query (a round
    trip on every release: UNLISTEN, RESET ALL, advisory unlock). Pool users keep no session
    state: LISTEN and session advisory locks have connections of their own, settings are
    fixed at connect. asyncpg still rolls back a transaction left open before this runs."""


async def create_pool(
    dsn: str, *, schema: str, application_name: str, min_size: int = 2, max_size: int = 10
) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=_set_json_codecs,
        reset=_keep_session,
        server_settings={"search_path": f"{schema},public", "application_name": application_name},
    )
    assert pool is not None  # create_pool only returns None when used as an awaitable context
    return pool
