"""Delivers pending webhook notifications: each subscription's queue strictly in seq order,
different subscriptions concurrently (bounded), safe with several instances running.

Wakes when a notification is stored (LISTEN on the notify channel), when a delivery task
finishes, at the next due retry, and at least every poll interval (notifications are lost
while the listening connection is down).
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx

from services.care_team.context import CareTeamContext
from services.care_team.settings import CareTeamSettings
from services.care_team.webhooks import delivery_repository as queue
from services.care_team.webhooks.backoff import RetryPolicy
from services.care_team.webhooks.delivery_repository import Claim, Outcome
from services.care_team.webhooks.signing import delivery_headers
from shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)

# A lease outlives the attempt it covers by this much, so it never runs out mid-attempt;
# after a crash the subscription waits at most the timeout plus this before resuming.
_LEASE_MARGIN_S = 30.0
_USER_AGENT = "carecoord-webhooks/1"


def retry_policy(settings: CareTeamSettings) -> RetryPolicy:
    return RetryPolicy(
        initial=timedelta(seconds=settings.webhook_initial_backoff_s),
        cap=timedelta(seconds=settings.webhook_max_backoff_s),
        window=timedelta(hours=settings.webhook_retry_window_hours),
    )


class WebhookDeliverer:
    def __init__(
        self, runtime: ServiceRuntime, ctx: CareTeamContext, settings: CareTeamSettings
    ) -> None:
        self._runtime = runtime
        self._ctx = ctx
        self._settings = settings
        self._policy = retry_policy(settings)
        self._lease_s = settings.webhook_timeout_s + _LEASE_MARGIN_S
        self._wake = asyncio.Event()
        self._in_flight: dict[UUID, asyncio.Task[None]] = {}

    async def run(self) -> None:
        listener = asyncio.create_task(self._listen(), name="care_team-webhook-listener")
        async with httpx.AsyncClient(
            follow_redirects=False,  # a redirect is an answer other than 2xx, not a new target
            headers={"User-Agent": _USER_AGENT},
            timeout=self._settings.webhook_timeout_s,
        ) as client:
            try:
                while True:
                    self._wake.clear()  # before looking: a wake-up meanwhile is not lost
                    wait_s = self._settings.webhook_poll_interval_s
                    try:
                        wait_s = min(wait_s, await self._start_due(client))
                    except Exception as exc:  # the next round retries
                        log.warning("webhook round failed", extra={"error": repr(exc)[:300]})
                    # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a
                    # cancellation that lands as the event is set, and shutdown would hang.
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(max(wait_s, 0.0)):
                            await self._wake.wait()
            finally:
                tasks = [listener, *self._in_flight.values()]
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)

    async def _start_due(self, client: httpx.AsyncClient) -> float:
        """Start a task per due subscription while slots are free; seconds to the next due."""
        free = self._settings.webhook_max_concurrency - len(self._in_flight)
        async with self._runtime.pool.acquire() as conn:
            heads = await queue.due_heads(
                conn, limit=self._settings.webhook_max_concurrency + len(self._in_flight)
            )
        now = self._ctx.clock()
        wait_s = float("inf")
        for head in heads:
            if head.subscription_id in self._in_flight:
                continue
            if head.next_attempt_at > now:
                wait_s = min(wait_s, (head.next_attempt_at - now).total_seconds())
            elif free > 0:
                free -= 1
                self._start(client, head.subscription_id)
        return wait_s

    def _start(self, client: httpx.AsyncClient, subscription_id: UUID) -> None:
        task = asyncio.create_task(self._drain(client, subscription_id))
        self._in_flight[subscription_id] = task

        def done(_: "asyncio.Task[None]") -> None:
            self._in_flight.pop(subscription_id, None)
            self._wake.set()  # a slot is free, and the queue may have moved on

        task.add_done_callback(done)

    async def _drain(self, client: httpx.AsyncClient, subscription_id: UUID) -> None:
        """Attempt the subscription's head while one is due: one attempt at a time, in order."""
        try:
            while True:
                async with self._runtime.pool.acquire() as conn:
                    claim = await queue.claim(
                        conn, subscription_id, now=self._ctx.clock(), lease_s=self._lease_s
                    )
                if claim is None:
                    return
                outcome = await self._attempt(client, claim)
                async with self._runtime.pool.acquire() as conn:
                    await queue.finish(conn, claim, outcome)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the lease runs out and the attempt is made again later
            log.warning(
                "webhook delivery failed",
                extra={"subscription_id": str(subscription_id), "error": repr(exc)[:300]},
            )

    async def _attempt(self, client: httpx.AsyncClient, claim: Claim) -> Outcome:
        body = claim.notification.model_dump_json().encode()
        headers = delivery_headers(
            claim.secret,
            str(claim.notification.notification_id),
            claim.attempt,
            body,
            self._ctx.clock(),  # signed afresh per attempt: retries carry a current t
        )
        status_code: int | None = None
        error: str | None = None
        started = time.perf_counter()
        try:
            # The whole exchange is bounded, not each read: a trickling receiver cannot stall.
            async with asyncio.timeout(self._settings.webhook_timeout_s):
                request = client.build_request("POST", claim.url, content=body, headers=headers)
                response = await client.send(request, stream=True)  # the body is not read
                await response.aclose()
            status_code = response.status_code
            if not response.is_success:
                error = f"HTTP {status_code}"
        except TimeoutError:
            error = f"no answer within {self._settings.webhook_timeout_s:g} s"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        duration_ms = (time.perf_counter() - started) * 1000
        now = self._ctx.clock()
        if error is None:
            return Outcome("delivered", status_code, None, duration_ms, finished_at=now)
        retry_at = self._policy.next_attempt(claim.round_attempt, claim.first_attempt_at, now)
        if retry_at is None:
            log.warning(
                "webhook delivery dead-lettered",
                extra={
                    "subscription_id": str(claim.subscription_id),
                    "notification_id": str(claim.notification.notification_id),
                    "attempts": claim.attempt,
                },
            )
            return Outcome("dead", status_code, error, duration_ms, finished_at=now)
        return Outcome("pending", status_code, error, duration_ms, next_attempt_at=retry_at)

    async def _listen(self) -> None:
        """LISTEN on the notify channel on a connection of its own, reconnecting."""
        while True:
            try:
                await self._listen_until_lost()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # polling still delivers meanwhile
                log.warning("webhook listener lost", extra={"error": repr(exc)[:300]})
            await asyncio.sleep(self._settings.webhook_poll_interval_s)

    async def _listen_until_lost(self) -> None:
        conn = await asyncpg.connect(
            self._settings.database_url,
            server_settings={"application_name": "carecoord-care_team:webhooks"},
        )
        lost = asyncio.Event()
        try:
            conn.add_termination_listener(lambda _: lost.set())
            await conn.add_listener(self._ctx.notify_channel, lambda *_: self._wake.set())
            self._wake.set()  # anything stored while we were not listening
            await lost.wait()
        finally:
            await conn.close()


def webhook_delivery_loop(
    runtime: ServiceRuntime, ctx: CareTeamContext, settings: CareTeamSettings
) -> Callable[[], Coroutine[Any, Any, None]]:
    deliverer = WebhookDeliverer(runtime, ctx, settings)

    async def deliver_webhooks() -> None:
        await deliverer.run()

    return deliver_webhooks
