"""Group commit (shared.group_commit) on a real PostgreSQL: commands waiting together share
one transaction; a refusal stays its own request's answer; any other failure reruns each
command alone; nothing is answered before its commit; stopping fails what was not run."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

import asyncpg
import pytest

from shared.db import Connection
from shared.group_commit import GroupCommit, GroupCommitStopped
from tests.integration.conftest import Probe


class Refused(Exception):
    """A command's answer decided before it changed anything (an HTTP 404 or 409)."""


@contextlib.asynccontextmanager
async def _scope_recording(conn: Connection, keys: Sequence[str]) -> AsyncIterator[None]:
    await conn.execute("INSERT INTO gc_scopes (keys) VALUES ($1)", list(keys))
    yield


@contextlib.asynccontextmanager
async def _no_scope(conn: Connection, keys: Sequence[str]) -> AsyncIterator[None]:
    yield


@pytest.fixture
async def group(probe: Probe) -> AsyncIterator[GroupCommit[str]]:
    pool = probe.runtime.pool
    await pool.execute(
        "CREATE TABLE gc_rows (key text PRIMARY KEY, txid bigint NOT NULL);"
        "CREATE TABLE gc_scopes (keys text[] NOT NULL)"
    )
    commits: GroupCommit[str] = GroupCommit(
        pool_of=lambda: pool, scope=_scope_recording, refusals=(Refused,), workers=1
    )
    running = asyncio.create_task(commits.run())
    try:
        yield commits
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running


def _insert(key: str) -> Any:
    async def run(conn: Connection) -> int:
        txid = int(await conn.fetchval("SELECT txid_current()"))
        await conn.execute("INSERT INTO gc_rows VALUES ($1, $2)", key, txid)
        return txid

    return run


class _Blocker:
    """A command that holds the only worker inside its transaction until released."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    async def __call__(self, conn: Connection) -> int:
        self.started.set()
        await self.release.wait()
        return await _insert("blocker")(conn)  # type: ignore[no-any-return]


async def _rows(pool: asyncpg.Pool) -> dict[str, int]:
    return {r["key"]: r["txid"] for r in await pool.fetch("SELECT key, txid FROM gc_rows")}


async def test_commands_waiting_together_share_one_transaction_and_one_scope(
    group: GroupCommit[str], probe: Probe
) -> None:
    blocker = _Blocker()
    first = group.enqueue("blocker", blocker)
    await blocker.started.wait()
    waiting = [group.enqueue(key, _insert(key)) for key in ("a", "b", "c")]
    blocker.release.set()
    txids = await asyncio.gather(*waiting)
    assert len(set(txids)) == 1 and txids[0] != await first
    # Answered only after the commit: another connection sees every row at once.
    assert await _rows(probe.runtime.pool) == {
        "blocker": await first, "a": txids[0], "b": txids[0], "c": txids[0]
    }  # fmt: skip
    scopes = [r["keys"] for r in await probe.runtime.pool.fetch("SELECT keys FROM gc_scopes")]
    assert sorted(scopes) == [["a", "b", "c"], ["blocker"]]
    assert (group.batches, group.commands) == (2, 4)


async def test_a_refused_command_gets_its_refusal_and_its_neighbours_commit(
    group: GroupCommit[str], probe: Probe
) -> None:
    async def refuse(conn: Connection) -> int:
        raise Refused("already exists")

    blocker = _Blocker()
    first = group.enqueue("blocker", blocker)
    await blocker.started.wait()
    a, refused, b = (
        group.enqueue("a", _insert("a")),
        group.enqueue("x", refuse),
        group.enqueue("b", _insert("b")),
    )
    blocker.release.set()
    await first
    with pytest.raises(Refused, match="already exists"):
        await refused
    assert await a == await b  # one transaction, the refusal inside it
    assert set(await _rows(probe.runtime.pool)) == {"blocker", "a", "b"}


async def test_a_failing_command_aborts_the_batch_and_each_command_runs_again_alone(
    group: GroupCommit[str], probe: Probe
) -> None:
    async def fail_after_writing(conn: Connection) -> int:
        await _insert("broken")(conn)
        raise RuntimeError("bug")

    blocker = _Blocker()
    first = group.enqueue("blocker", blocker)
    await blocker.started.wait()
    a = group.enqueue("a", _insert("a"))
    broken = group.enqueue("broken", fail_after_writing)
    b = group.enqueue("b", _insert("b"))
    blocker.release.set()
    await first
    with pytest.raises(RuntimeError, match="bug"):
        await broken
    txid_a, txid_b = await a, await b
    assert txid_a != txid_b  # each alone, after the batch rolled back
    assert await _rows(probe.runtime.pool) == {"blocker": await first, "a": txid_a, "b": txid_b}
    scopes = [r["keys"] for r in await probe.runtime.pool.fetch("SELECT keys FROM gc_scopes")]
    assert sorted(scopes) == [["a"], ["b"], ["blocker"]]  # the failed batch's is rolled back


async def test_stopping_fails_the_running_and_queued_commands_as_not_run(probe: Probe) -> None:
    pool = probe.runtime.pool
    await pool.execute("CREATE TABLE gc_rows (key text PRIMARY KEY, txid bigint NOT NULL)")
    commits: GroupCommit[str] = GroupCommit(
        pool_of=lambda: pool,
        scope=_no_scope,
        refusals=(),
        workers=1,
    )
    running = asyncio.create_task(commits.run())
    blocker = _Blocker()
    first = commits.enqueue("blocker", blocker)
    await blocker.started.wait()
    queued = commits.enqueue("a", _insert("a"))
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running
    for outcome in (first, queued):
        with pytest.raises(GroupCommitStopped):
            await outcome
    with pytest.raises(GroupCommitStopped):
        await commits.enqueue("late", _insert("late"))
    assert await _rows(pool) == {}
