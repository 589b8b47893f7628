import asyncio
from pathlib import Path

import asyncpg
import pytest

from shared.migrations import Migration, MigrationError, apply_migrations, service_migrations
from tests.support.ids import unique
from tests.support.infrastructure import Endpoints

MIGRATIONS = service_migrations("probe", Path(__file__).parents[1] / "support" / "sql")


async def _recorded(dsn: str, schema: str) -> list[str]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(f'SELECT name FROM "{schema}".schema_migrations ORDER BY name')
        return [r["name"] for r in rows]
    finally:
        await conn.close()


async def test_running_twice_applies_everything_once(infra: Endpoints) -> None:
    schema = unique("mig_")
    first = await apply_migrations(infra.database_url, schema, MIGRATIONS)
    second = await apply_migrations(infra.database_url, schema, MIGRATIONS)
    assert first == [m.name for m in MIGRATIONS]
    assert second == []
    assert await _recorded(infra.database_url, schema) == sorted(m.name for m in MIGRATIONS)


async def test_concurrent_starts_apply_each_migration_exactly_once(infra: Endpoints) -> None:
    schema = unique("mig_")
    results = await asyncio.gather(
        *(apply_migrations(infra.database_url, schema, MIGRATIONS) for _ in range(5))
    )
    applied = [name for result in results for name in result]
    assert sorted(applied) == sorted(m.name for m in MIGRATIONS)  # no file ran twice
    assert await _recorded(infra.database_url, schema) == sorted(m.name for m in MIGRATIONS)


async def test_an_edited_applied_migration_is_refused(infra: Endpoints) -> None:
    schema = unique("mig_")
    await apply_migrations(infra.database_url, schema, MIGRATIONS)
    edited = [*MIGRATIONS[:-1], Migration(MIGRATIONS[-1].name, MIGRATIONS[-1].sql + "\n-- edit")]
    with pytest.raises(MigrationError, match="changed after it was applied"):
        await apply_migrations(infra.database_url, schema, edited)


async def test_a_failing_migration_leaves_nothing_half_applied(infra: Endpoints) -> None:
    schema = unique("mig_")
    broken = [
        *MIGRATIONS,
        Migration("probe/9999_broken.sql", "CREATE TABLE t (x int); SELECT 1/0;"),
    ]
    with pytest.raises(asyncpg.DivisionByZeroError):
        await apply_migrations(infra.database_url, schema, broken)
    assert "probe/9999_broken.sql" not in await _recorded(infra.database_url, schema)
    conn = await asyncpg.connect(infra.database_url)
    try:
        assert await conn.fetchval("SELECT to_regclass($1)", f"{schema}.t") is None
    finally:
        await conn.close()


async def test_the_audit_log_is_append_only(infra: Endpoints) -> None:
    schema = unique("mig_")
    await apply_migrations(infra.database_url, schema, MIGRATIONS)
    conn = await asyncpg.connect(infra.database_url, server_settings={"search_path": schema})
    try:
        await conn.execute(
            """INSERT INTO audit_log
                   (actor_subject, actor_kind, action, patient_id, resource, outcome)
               VALUES ('dr-a', 'clinician', 'read', 'p-1', 'medication_list', 'allowed')"""
        )
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await conn.execute("UPDATE audit_log SET outcome = 'denied'")
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await conn.execute("DELETE FROM audit_log")
        assert await conn.fetchval("SELECT count(*) FROM audit_log") == 1
    finally:
        await conn.close()
