"""Our own PostgreSQL: initdb once, run the server as a child process, wait
until it accepts connections, create the ``carecoord`` database."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import asyncpg

from devstack.errors import DevstackError
from devstack.paths import logs_dir
from devstack.pg_locate import PgBinaries, PgLayout, find_pg_binaries, pg_account, pg_layout
from devstack.ports import HOST
from devstack.processes import Child, RunAs, log_tail, spawn
from devstack.readiness import wait_until_ready

PG_USER = "carecoord"
PG_DATABASE = "carecoord"


def database_url(port: int, database: str = PG_DATABASE) -> str:
    return f"postgresql://{PG_USER}@{HOST}:{port}/{database}"


def start_postgres(instance: str, port: int, *, fresh: bool = False) -> Child:
    """initdb if needed and spawn ``postgres``; see :func:`wait_postgres_ready`."""
    binaries = find_pg_binaries()
    run_as = pg_account()
    layout = pg_layout(instance, binaries, run_as)
    if fresh:
        shutil.rmtree(layout.data_dir, ignore_errors=True)
    logs = logs_dir(instance)
    _initdb_once(binaries, layout, run_as, logs / "postgres-initdb.log")
    argv = [
        binaries.tool("postgres"),
        "-D",
        str(layout.data_dir),
        "-p",
        str(port),
        "-c",
        f"listen_addresses={HOST}",
        "-c",
        f"unix_socket_directories={layout.socket_dir}",
        # Commit times of rows (pg_xact_commit_timestamp): make bench reads the outbox
        # relay's lag from the commit, not from a clock read inside the transaction.
        "-c",
        "track_commit_timestamp=on",
    ]
    return spawn(
        "postgres",
        argv,
        log_path=logs / "postgres.log",
        env=_server_env(),
        cwd=layout.root,
        run_as=run_as,
        # SIGINT is PostgreSQL's "fast" shutdown; SIGTERM ("smart") would wait
        # for every client, e.g. a service's connection pool, to disconnect.
        stop_signal=signal.SIGINT,
    )


def _server_env() -> dict[str, str]:
    # libpq-style PG* variables (PGPORT, PGDATA, ...) must not override our flags.
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}


def _initdb_once(
    binaries: PgBinaries, layout: PgLayout, run_as: RunAs | None, log_path: Path
) -> None:
    if (layout.data_dir / "PG_VERSION").is_file():
        return
    # initdb into a side directory and rename at the end, so an interrupted
    # initdb never leaves a half-initialised data directory behind.
    partial = layout.data_dir.with_name(layout.data_dir.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    argv = [
        binaries.tool("initdb"),
        "-D",
        str(partial),
        "-U",
        PG_USER,
        "--auth=trust",
        "--encoding=UTF8",
        "--locale=C",
        "--no-sync",  # throwaway dev/test data: durability of initdb is moot
    ]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        result = subprocess.run(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=layout.root,
            env=_server_env(),
            user=run_as.uid if run_as else None,
            group=run_as.gid if run_as else None,
            extra_groups=[] if run_as else None,
            check=False,
        )
    if result.returncode != 0:
        raise DevstackError(
            f"initdb failed (exit {result.returncode})",
            log_path=log_path,
            log_tail=log_tail(log_path),
        )
    partial.replace(layout.data_dir)


async def postgres_answers(url: str) -> bool:
    conn = await asyncpg.connect(url, timeout=5)
    await conn.close()
    return True


async def ensure_database(port: int, name: str = PG_DATABASE) -> None:
    conn = await asyncpg.connect(database_url(port, "postgres"), timeout=5)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            quoted = name.replace('"', '""')
            await conn.execute(f'CREATE DATABASE "{quoted}"')
    finally:
        await conn.close()


async def wait_postgres_ready(port: int, child: Child, limit: float) -> str:
    """Wait for our server, create the database, return its DATABASE_URL."""
    admin_url = database_url(port, "postgres")
    await wait_until_ready(
        f"PostgreSQL on port {port}",
        lambda: postgres_answers(admin_url),
        child=child,
        limit=limit,
    )
    await ensure_database(port)
    return database_url(port)


async def wait_external_ready(url: str, limit: float) -> None:
    """Check a DATABASE_URL we did not start (no process to watch)."""
    await wait_until_ready(
        "PostgreSQL at DATABASE_URL", lambda: postgres_answers(url), child=None, limit=limit
    )
