"""Clinicians' live notification streams, read as they arrive: when each patient's
conflict notification for one rule came in (perf_counter seconds), and how many came twice.

Cheap on purpose (it shares two cores with the service it measures): a block is parsed as
JSON only when its bytes name the rule.
"""

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx

from bench.latency_population import bearer
from shared.auth import PrincipalKind

STREAM_PATH = "/clinicians/me/notifications/stream"
OPEN_LIMIT_S = 30.0


@dataclass
class Arrivals:
    rule_id: str
    at: dict[str, float] = field(default_factory=dict)  # patient id -> first arrival
    duplicates: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def take(self, block: bytes, now: float) -> None:
        if self._needle not in block:
            return
        for line in block.split(b"\n"):
            if line.startswith(b"data:"):
                notification = json.loads(line[5:])
                if notification.get("data", {}).get("rule_id") != self.rule_id:
                    return
                patient = notification["patient_id"]
                if patient in self.at:
                    self.duplicates += 1
                else:
                    self.at[patient] = now
                    self.changed.set()

    @property
    def _needle(self) -> bytes:
        return f'"{self.rule_id}"'.encode()


async def _read(
    http: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    arrivals: Arrivals,
    opened: asyncio.Event,
) -> None:
    async with http.stream("GET", url, headers=headers) as response:
        response.raise_for_status()
        buffer = b""
        async for chunk in response.aiter_bytes():
            now = time.perf_counter()
            buffer += chunk
            *blocks, buffer = buffer.split(b"\n\n")
            for block in blocks:
                opened.set()  # the first block is the stream's start: `retry` and `id`
                arrivals.take(block, now)


@contextlib.asynccontextmanager
async def streams(
    base_url: str, secret: str, clinicians: list[str], arrivals: Arrivals
) -> AsyncIterator[None]:
    """Each clinician's stream open (its first block read) for the duration."""
    timeout = httpx.Timeout(10.0, read=None)
    limits = httpx.Limits(max_connections=len(clinicians) + 1)
    async with httpx.AsyncClient(base_url=base_url, timeout=timeout, limits=limits) as http:
        tasks, opened = [], []
        for clinician in clinicians:
            headers = bearer(secret, clinician, PrincipalKind.CLINICIAN, "psychiatrist")
            event = asyncio.Event()
            opened.append(event)
            tasks.append(asyncio.create_task(_read(http, STREAM_PATH, headers, arrivals, event)))
        try:
            async with asyncio.timeout(OPEN_LIMIT_S):
                for task, event in zip(tasks, opened, strict=True):
                    waiter = asyncio.create_task(event.wait())
                    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
                    waiter.cancel()
                    if task.done():
                        task.result()  # raises what ended it
                        raise RuntimeError("a notification stream ended before it opened")
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
                    await task
