"""A small connection pool of its own for the live notification streams' reads.

Under write load every pool connection is busy with prescription changes and many more
requests queue for one; a stream woken by a NOTIFY would queue behind them and deliver
seconds after the commit. Its own few connections keep delivery independent of the write
backlog (the reads are short: one indexed range read and the audit rows per wake).
"""

import asyncio

import asyncpg

from shared.db import create_pool


class StreamPool:
    def __init__(self, dsn: str, *, schema: str, size: int) -> None:
        self._dsn = dsn
        self._schema = schema
        self._size = size
        self._pool: asyncpg.Pool | None = None

    def pool_or(self, fallback: asyncpg.Pool) -> asyncpg.Pool:
        """The streams' pool; the service's own until it is open (right after start)."""
        return self._pool if self._pool is not None else fallback

    async def run(self) -> None:
        """Hold the pool open while the service runs (a runtime background loop)."""
        pool = await create_pool(
            self._dsn,
            schema=self._schema,
            application_name="carecoord-care_team:streams",
            min_size=self._size,
            max_size=self._size,
        )
        self._pool = pool
        try:
            await asyncio.Event().wait()
        finally:
            self._pool = None
            await pool.close()
