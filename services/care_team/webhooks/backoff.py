"""When a failed webhook delivery is tried again, and when it is given up (pure, no I/O).

Attempt n (1-based) that failed waits a random delay in [initial, min(cap, initial * 2**(n-1))]
("full jitter", never below the initial delay) before the next one, so a receiver that comes
back after an outage is not hit by every subscription at the same instant. Retries continue
until the retry window after the first attempt has passed: one last attempt is made right at
the end of the window, and if that fails too the delivery is dead-lettered. Unlike a fixed
number of retries (used up in seconds by a short outage), this keeps trying through a day-long
one by default.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

# 2**62 * initial overflows nothing, but a bigger exponent buys nothing over the cap either.
_MAX_EXPONENT = 62


@dataclass(frozen=True)
class RetryPolicy:
    initial: timedelta = timedelta(seconds=1)
    cap: timedelta = timedelta(hours=1)
    window: timedelta = timedelta(hours=24)

    def __post_init__(self) -> None:
        if self.initial <= timedelta(0) or self.cap < self.initial or self.window <= timedelta(0):
            raise ValueError("need 0 < initial <= cap and a positive retry window")

    def ceiling(self, attempt: int) -> timedelta:
        """The largest delay after failed attempt `attempt` (1-based): doubling, capped."""
        if attempt < 1:
            raise ValueError("attempts count from 1")
        exponent = min(attempt - 1, _MAX_EXPONENT)
        seconds = min(self.cap.total_seconds(), self.initial.total_seconds() * 2**exponent)
        return timedelta(seconds=seconds)

    def delay(self, attempt: int, rng: random.Random | None = None) -> timedelta:
        """A jittered delay after failed attempt `attempt`, in [initial, ceiling(attempt)]."""
        low, high = self.initial.total_seconds(), self.ceiling(attempt).total_seconds()
        draw = (rng or _rng).uniform(0.0, high)
        return timedelta(seconds=max(low, draw))

    def give_up(self, first_attempt_at: datetime, now: datetime) -> bool:
        """True once the retry window after the first attempt has passed."""
        return now - first_attempt_at >= self.window

    def next_attempt(
        self,
        attempt: int,
        first_attempt_at: datetime,
        now: datetime,
        rng: random.Random | None = None,
    ) -> datetime | None:
        """When to try again after failed attempt `attempt` at `now`; None: dead-letter it."""
        if self.give_up(first_attempt_at, now):
            return None
        return min(now + self.delay(attempt, rng), first_attempt_at + self.window)


_rng = random.SystemRandom()
