"""Plain-SQL migrations, per service schema, applied in order and recorded.

The shared tables (outbox, inbox, audit log) come first, then the service's own
files. A session advisory lock per schema makes concurrent starts safe: the
second process waits, then finds everything applied.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

import asyncpg

SHARED_SQL_DIR = Path(__file__).parent / "sql"


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    name: str  # "<source>/<file>", e.g. "shared/0001_outbox.sql"
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def load_migrations(*sources: tuple[str, Path]) -> list[Migration]:
    """Each source's `NNNN_*.sql` files in file-name order; sources in the given order."""
    migrations: list[Migration] = []
    for source, folder in sources:
        for path in sorted(folder.glob("[0-9][0-9][0-9][0-9]_*.sql")):
            migrations.append(Migration(f"{source}/{path.name}", path.read_text()))
    return migrations


def service_migrations(service: str, folder: Path) -> list[Migration]:
    return load_migrations(("shared", SHARED_SQL_DIR), (service, folder))


async def apply_migrations(dsn: str, schema: str, migrations: list[Migration]) -> list[str]:
    """Apply what is missing; return the names applied now. Safe to call concurrently."""
    if not schema.isidentifier():
        raise MigrationError(f"not a plain schema name: {schema!r}")
    conn = await asyncpg.connect(dsn, server_settings={"application_name": f"migrate:{schema}"})
    try:
        # Session lock on a dedicated connection: held across the per-file transactions.
        await conn.execute(
            "SELECT pg_advisory_lock(hashtextextended('carecoord.migrations.' || $1, 0))", schema
        )
        try:
            return await _apply_locked(conn, schema, migrations)
        finally:
            await conn.execute(
                "SELECT pg_advisory_unlock(hashtextextended('carecoord.migrations.' || $1, 0))",
                schema,
            )
    finally:
        await conn.close()


async def _apply_locked(
    conn: asyncpg.Connection, schema: str, migrations: list[Migration]
) -> list[str]:
    await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    await conn.execute(f'SET search_path TO "{schema}", public')
    await conn.execute(
        """CREATE TABLE IF NOT EXISTS schema_migrations (
               name       text PRIMARY KEY,
               checksum   text NOT NULL,
               applied_at timestamptz NOT NULL DEFAULT now())"""
    )
    recorded = {
        row["name"]: row["checksum"]
        for row in await conn.fetch("SELECT name, checksum FROM schema_migrations")
    }
    applied: list[str] = []
    for migration in migrations:
        if migration.name in recorded:
            if recorded[migration.name] != migration.checksum:
                raise MigrationError(
                    f"{migration.name} was changed after it was applied to schema {schema}; "
                    "add a new migration instead of editing an applied one"
                )
            continue
        async with conn.transaction():
            await conn.execute(migration.sql)
            await conn.execute(
                "INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)",
                migration.name,
                migration.checksum,
            )
        applied.append(migration.name)
    return applied
