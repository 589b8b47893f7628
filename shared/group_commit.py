"""Group commit: commands from concurrent requests share one transaction.

A request's command waits in a queue; a worker takes every command waiting (up to
`max_batch`) and runs them in order in ONE transaction, inside the caller's `scope` (for
care_team, the locked working set of the commands' patients). Each request gets its own
outcome, and only once the transaction has committed, so an answer never reports what was
rolled back. When the queue is empty a command runs at once, alone: batching adds no wait,
it only forms under load, where it saves each command its own round trips and commit.

An optional admission step first decides, for the whole batch in one statement, which
commands may run (an access check and its audit rows); a refused command's refusal is its
outcome, and it never reaches the scope. A command either finishes, or raises one of
`refusals` BEFORE it changes anything (a 404 or 409 decided on what it read): that is its
outcome, and the batch carries on. Any other
exception aborts the batch; every command of it then runs again alone, in its own
transaction, as it would have without batching, so one failure never fails its neighbours.
An outage (the database unreachable) fails every command of the batch with it.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeAlias, TypeVar

import asyncpg

from shared.db import Connection
from shared.dead_letters import INFRASTRUCTURE_ERRORS

log = logging.getLogger(__name__)

K = TypeVar("K")
T = TypeVar("T")
# Opens what a batch's commands run inside (a transaction is already open), given their keys.
Scope = Callable[[Connection, Sequence[K]], contextlib.AbstractAsyncContextManager[None]]
# Decides, in the batch's transaction and before its scope opens, which commands may run at
# all (an access check, audited): per command, its refusal or None.
Admit = Callable[[Connection, Sequence[K]], Awaitable[Sequence[BaseException | None]]]


class GroupCommitStopped(RuntimeError):
    """The service is stopping: the command was not run."""


@dataclass(eq=False)
class _Command(Generic[K]):
    key: K
    run: Callable[[Connection], Awaitable[Any]]
    outcome: "asyncio.Future[Any]"


# A command, its result, and its refusal (or error) instead.
_Outcome: TypeAlias = tuple[_Command[K], Any, BaseException | None]


class GroupCommit(Generic[K]):
    def __init__(
        self,
        *,
        pool_of: Callable[[], asyncpg.Pool],
        scope: Scope[K],
        refusals: tuple[type[BaseException], ...],
        admit: Admit[K] | None = None,
        max_batch: int = 64,
        workers: int = 2,
    ) -> None:
        self._pool_of = pool_of  # the pool exists only once the service has started
        self._scope = scope
        self._refusals = refusals
        self._admit = admit
        self._max_batch = max_batch
        self._workers = workers
        self._queue: list[_Command[K]] = []
        self._queued = asyncio.Event()
        self._stopped = False
        self.batches = 0  # transactions committed by batches, and the commands in them
        self.commands = 0

    def enqueue(self, key: K, run: Callable[[Connection], Awaitable[T]]) -> "asyncio.Future[T]":
        """Queue a command; its future holds the outcome once its transaction committed."""
        outcome: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        if self._stopped:
            outcome.set_exception(GroupCommitStopped("the service has stopped"))
            return outcome
        self._queue.append(_Command(key, run, outcome))
        self._queued.set()
        return outcome

    async def submit(self, key: K, run: Callable[[Connection], Awaitable[T]]) -> T:
        return await self.enqueue(key, run)

    async def run(self) -> None:
        """The workers, until cancelled; commands still queued then fail as not run (those
        queued before it starts wait for it)."""
        try:
            async with asyncio.TaskGroup() as workers:
                for _ in range(self._workers):
                    workers.create_task(self._work())
        finally:
            self._stopped = True
            queued, self._queue = self._queue, []
            for command in queued:
                _settle(command, error=GroupCommitStopped("the service is stopping"))

    async def _work(self) -> None:
        while True:
            await self._queued.wait()
            batch, self._queue = self._queue[: self._max_batch], self._queue[self._max_batch :]
            if not self._queue:
                self._queued.clear()
            if batch:  # another worker may have taken them all
                await self._run_batch(batch)

    async def _run_batch(self, batch: list[_Command[K]]) -> None:
        outcomes: list[_Outcome[K]] = []
        try:
            async with self._pool_of().acquire() as conn, conn.transaction():
                admitted = await self._admitted(conn, batch, outcomes)
                if admitted:
                    async with self._scope(conn, [c.key for c in admitted]):
                        for command in admitted:
                            try:
                                outcomes.append((command, await command.run(conn), None))
                            except self._refusals as refused:
                                outcomes.append((command, None, refused))
        except INFRASTRUCTURE_ERRORS as outage:
            for command in batch:
                _settle(command, error=outage)
            return
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0], error=exc)
                return
            log.warning(
                "batch of commands failed; running them one at a time",
                extra={"commands": len(batch), "error_type": type(exc).__name__},
            )
            for command in batch:
                await self._run_batch([command])
            return
        except BaseException as stopped:  # cancelled: nothing committed
            for command in batch:
                _settle(command, error=GroupCommitStopped(str(stopped) or "stopping"))
            raise
        self.batches += 1
        self.commands += len(batch)
        for command, result, refusal in outcomes:
            _settle(command, result=result, error=refusal)

    async def _admitted(
        self, conn: Connection, batch: list[_Command[K]], outcomes: list["_Outcome[K]"]
    ) -> list[_Command[K]]:
        """The commands admission lets run; the refused ones' outcomes go to `outcomes`."""
        if self._admit is None:
            return batch
        admitted = []
        verdicts = await self._admit(conn, [c.key for c in batch])
        for command, refusal in zip(batch, verdicts, strict=True):
            if refusal is None:
                admitted.append(command)
            else:
                outcomes.append((command, None, refusal))
        return admitted


def _settle(
    command: _Command[Any], *, result: Any = None, error: BaseException | None = None
) -> None:
    if command.outcome.done():  # the request went away (its client disconnected)
        return
    if error is not None:
        command.outcome.set_exception(error)
    else:
        command.outcome.set_result(result)
