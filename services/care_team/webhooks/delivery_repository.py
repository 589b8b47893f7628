"""asyncpg access to the webhook delivery queue, for the delivery worker.

A subscription's queue is its pending deliveries in seq order; only its head (the lowest
pending seq) is ever attempted, by whoever holds the subscription's lease. Claiming an
attempt and finishing it are two short transactions around the HTTP call, so the attempt
is on record (as interrupted) even if the process dies while the receiver is answering.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from services.care_team.adapters.notification_repository import to_data
from shared.db import Connection
from shared.events.notifications import NotificationData

INTERRUPTED = "interrupted: no outcome was recorded (the worker stopped during the attempt)"


@dataclass(frozen=True)
class DueHead:
    subscription_id: UUID
    next_attempt_at: datetime


@dataclass(frozen=True)
class Claim:
    """One attempt at a subscription's head delivery, on record and under a lease."""

    subscription_id: UUID
    url: str
    secret: str
    lease_until: datetime  # also the lease's token: released only if still ours
    notification: NotificationData
    attempt: int  # counts every attempt at this delivery, 1-based
    round_attempt: int  # counts since it was last re-queued by hand: drives the backoff
    first_attempt_at: datetime  # of this round: the retry window runs from here
    attempt_id: int


@dataclass(frozen=True)
class Outcome:
    status: Literal["delivered", "pending", "dead"]
    status_code: int | None
    error: str | None
    duration_ms: float
    next_attempt_at: datetime | None = None  # when pending
    finished_at: datetime | None = None  # when delivered or dead


async def due_heads(conn: Connection, *, limit: int) -> list[DueHead]:
    """Active, unleased subscriptions with pending deliveries: their heads, soonest first."""
    rows = await conn.fetch(
        """SELECT s.subscription_id, h.next_attempt_at
           FROM webhook_subscriptions s
           CROSS JOIN LATERAL (
               SELECT d.next_attempt_at FROM webhook_deliveries d
               WHERE d.subscription_id = s.subscription_id AND d.status = 'pending'
               ORDER BY d.seq LIMIT 1) h
           WHERE s.active AND (s.lease_until IS NULL OR s.lease_until < clock_timestamp())
           ORDER BY h.next_attempt_at LIMIT $1""",
        limit,
    )
    return [DueHead(r["subscription_id"], r["next_attempt_at"]) for r in rows]


async def claim(
    conn: Connection, subscription_id: UUID, *, now: datetime, lease_s: float
) -> Claim | None:
    """Take the subscription's lease and start an attempt at its head when the head is due;
    None when it is leased elsewhere, inactive, empty or not yet due. Commits on return."""
    async with conn.transaction():
        subscription = await conn.fetchrow(
            """UPDATE webhook_subscriptions
               SET lease_until = clock_timestamp() + make_interval(secs => $2)
               WHERE subscription_id = $1 AND active
                 AND (lease_until IS NULL OR lease_until < clock_timestamp())
               RETURNING url, secret, lease_until""",
            subscription_id,
            lease_s,
        )
        if subscription is None:
            return None
        head = await conn.fetchrow(
            """SELECT d.seq AS delivery_seq, d.attempts, d.round_base, d.next_attempt_at,
                      d.first_attempt_at, n.*
               FROM webhook_deliveries d JOIN notifications n USING (notification_id)
               WHERE d.subscription_id = $1 AND d.status = 'pending'
               ORDER BY d.seq LIMIT 1
               FOR UPDATE OF d""",
            subscription_id,
        )
        if head is None or head["next_attempt_at"] > now:
            await _release(conn, subscription_id, subscription["lease_until"])
            return None
        attempt = head["attempts"] + 1
        first_attempt_at = head["first_attempt_at"] or now
        await conn.execute(
            """UPDATE webhook_deliveries SET attempts = $3, first_attempt_at = $4
               WHERE subscription_id = $1 AND notification_id = $2""",
            subscription_id,
            head["notification_id"],
            attempt,
            first_attempt_at,
        )
        attempt_id = await conn.fetchval(
            """INSERT INTO webhook_attempts (subscription_id, notification_id, attempt,
                                             attempted_at, status_code, error, duration_ms)
               VALUES ($1, $2, $3, $4, NULL, $5, 0) RETURNING id""",
            subscription_id,
            head["notification_id"],
            attempt,
            now,
            INTERRUPTED,
        )
    return Claim(
        subscription_id=subscription_id,
        url=subscription["url"],
        secret=subscription["secret"],
        lease_until=subscription["lease_until"],
        notification=to_data(head),
        attempt=attempt,
        round_attempt=attempt - head["round_base"],
        first_attempt_at=first_attempt_at,
        attempt_id=attempt_id,
    )


async def finish(conn: Connection, claim: Claim, outcome: Outcome) -> None:
    """Record the attempt's outcome, move the delivery on, and hand the lease back."""
    notification_id = claim.notification.notification_id
    async with conn.transaction():
        # Subscription row first, then its deliveries: the order claim() and deactivation
        # take them in, so a deactivation racing this finish cannot deadlock with it.
        await conn.execute(
            "SELECT 1 FROM webhook_subscriptions WHERE subscription_id = $1 FOR NO KEY UPDATE",
            claim.subscription_id,
        )
        await conn.execute(
            """UPDATE webhook_attempts SET status_code = $2, error = $3, duration_ms = $4
               WHERE id = $1""",
            claim.attempt_id,
            outcome.status_code,
            outcome.error,
            outcome.duration_ms,
        )
        # Guarded by the attempt number: a worker whose lease ran out mid-attempt (and was
        # overtaken) still records its attempt but no longer decides the delivery's fate.
        moved = await conn.fetchval(
            """UPDATE webhook_deliveries
               SET status = $4, next_attempt_at = coalesce($5, next_attempt_at),
                   finished_at = $6
               WHERE subscription_id = $1 AND notification_id = $2 AND attempts = $3
                 AND status = 'pending'
               RETURNING seq""",
            claim.subscription_id,
            notification_id,
            claim.attempt,
            outcome.status,
            outcome.next_attempt_at,
            outcome.finished_at,
        )
        if moved is not None and outcome.status != "pending":
            await conn.execute(
                """UPDATE webhook_subscriptions SET delivered_seq = greatest(delivered_seq, $2)
                   WHERE subscription_id = $1""",
                claim.subscription_id,
                moved,
            )
        await _release(conn, claim.subscription_id, claim.lease_until)


async def _release(conn: Connection, subscription_id: UUID, lease_until: datetime) -> None:
    await conn.execute(
        """UPDATE webhook_subscriptions SET lease_until = NULL
           WHERE subscription_id = $1 AND lease_until = $2""",
        subscription_id,
        lease_until,
    )
