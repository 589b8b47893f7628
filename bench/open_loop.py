"""An open-loop load generator: request k is due at start + k / rate, whether or not the
earlier ones have been answered. A closed loop (send, wait, send) slows down with the
server and so hides the queueing it causes (coordinated omission); here a slow server
shows up as requests waiting, measured from when they were due.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

START_DELAY_S = 0.05


@dataclass
class Sent:
    """One request: when it was due, and when its answer came (perf_counter seconds)."""

    key: str
    due: float
    answered: float = 0.0
    status: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


async def offer(
    keys: Sequence[str], rate: float, send: Callable[[str], Awaitable[int]]
) -> list[Sent]:
    """Send one request per key at `rate` per second; returns when all are answered."""
    start = time.perf_counter() + START_DELAY_S
    sent = [Sent(key, start + index / rate) for index, key in enumerate(keys)]

    async def one(request: Sent) -> None:
        try:
            request.status = await send(request.key)
        except Exception as exc:
            request.error = f"{type(exc).__name__}: {exc}"[:200]
        request.answered = time.perf_counter()

    tasks = []
    for request in sent:
        delay = request.due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        # Late (the loop was busy): sent at once, and its latency still counts from `due`.
        tasks.append(asyncio.create_task(one(request)))
    await asyncio.gather(*tasks)
    return sent


def achieved_rate(sent: Sequence[Sent]) -> float:
    """Answered-ok requests per second, from the first due time to the last answer."""
    done = [s for s in sent if s.ok]
    if not done:
        return 0.0
    span = max(s.answered for s in done) - min(s.due for s in sent)
    return len(done) / span if span > 0 else 0.0
