"""Polling for readiness with a short backoff (never a fixed sleep), and
running those async probes from the synchronous public API."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from devstack.errors import DevstackError
from devstack.processes import Child, log_tail

T = TypeVar("T")

Probe = Callable[[], Awaitable[bool]]


async def wait_until_ready(what: str, probe: Probe, *, child: Child | None, limit: float) -> None:
    """Poll ``probe`` until it returns True.

    Fails fast (with the log tail) when ``child`` exits meanwhile, and after
    ``limit`` seconds with the last probe error.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    delay = 0.05
    last_error = ""
    while True:
        if child is not None and child.exit_code() is not None:
            raise child.died(what)
        remaining = deadline - loop.time()
        try:
            if await asyncio.wait_for(probe(), timeout=max(0.5, min(5.0, remaining))):
                return
        except Exception as exc:  # any failure just means "not yet"
            last_error = f"{type(exc).__name__}: {exc}".rstrip(": ")
        if loop.time() >= deadline:
            suffix = f" (last error: {last_error})" if last_error else ""
            log = child.log_path if child else None
            raise DevstackError(
                f"{what} was not ready after {limit:.0f}s{suffix}",
                log_path=log,
                log_tail=log_tail(log) if log else None,
            )
        await asyncio.sleep(min(delay, max(0.0, deadline - loop.time())))
        delay = min(delay * 1.6, 1.0)


def run_sync(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion from synchronous code.

    If the caller already runs an event loop (an async pytest fixture, say),
    ``asyncio.run`` is not allowed there, so use a private loop in a thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="devstack") as pool:
        return pool.submit(lambda: asyncio.run(make())).result()
