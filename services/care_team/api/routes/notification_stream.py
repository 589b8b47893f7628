"""The clinician's live notification stream (Server-Sent Events).

Every message carries `id: <seq>`, the recipient's own gap-free sequence. A client that
reconnects with `Last-Event-ID` (or `?last_event_id=`) first gets, from the table and in
order, everything pushed after that id, then live ones: nothing missed while it was away,
nothing twice. Live means: the process's one LISTEN connection wakes this stream, which then
reads `seq > last sent` from the table (the table, not the NOTIFY, is the source).
"""

import time
from collections.abc import AsyncIterator
from typing import Annotated

import asyncpg
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from services.care_team.adapters import notification_repository as repository
from services.care_team.adapters.notification_listener import (
    NotificationListener,
    Subscription,
)
from services.care_team.adapters.stream_pool import StreamPool
from services.care_team.api.routes.notifications import recipient
from services.care_team.settings import CareTeamSettings
from shared.auth import CurrentPrincipal, Principal
from shared.http import PoolDep
from shared.runtime import ServiceRuntime

router = APIRouter(prefix="/clinicians/me/notifications", tags=["notifications"])
RESOURCE = "notification_stream"
BATCH = 100


def format_event(seq: int, data_json: str) -> str:
    return f"id: {seq}\nevent: notification\ndata: {data_json}\n\n"


async def _start_after(pool: asyncpg.Pool, clinician: str, requested: int | None) -> int:
    """Where the stream starts: after the client's last id, else after the latest one now.
    An id beyond the latest (e.g. from another environment) starts at the latest, so new
    notifications are not held back until the sequence passes it."""
    async with pool.acquire() as conn:
        latest = await repository.last_seq(conn, clinician)
    return latest if requested is None else min(requested, latest)


async def _events(
    pool: asyncpg.Pool,
    subscription: Subscription,
    principal: Principal,
    *,
    after: int,
    settings: CareTeamSettings,
) -> AsyncIterator[str]:
    clinician = principal.subject
    # An `id` without data dispatches nothing but sets the client's Last-Event-ID: a client
    # that drops before its first notification still resumes from here, losing nothing.
    yield f"retry: {settings.stream_retry_ms}\nid: {after}\n\n"
    keepalive_at = time.monotonic() + settings.stream_heartbeat_s
    while not subscription.closed:
        async with pool.acquire() as conn:
            batch = await repository.since_audited(
                conn,
                clinician,
                after,
                BATCH,
                actor=(principal.subject, principal.kind.value),
                resource=RESOURCE,
            )
        for notification in batch:
            yield format_event(notification.seq, notification.model_dump_json())
            after = notification.seq
        if batch:
            keepalive_at = time.monotonic() + settings.stream_heartbeat_s
        if len(batch) == BATCH:
            continue  # catching up: read on before waiting
        timeout = keepalive_at - time.monotonic()
        if not subscription.listening:
            timeout = min(timeout, settings.stream_poll_interval_s)
        woken = await subscription.wait(timeout)
        if not woken and time.monotonic() >= keepalive_at and not subscription.closed:
            yield ": keepalive\n\n"
            keepalive_at = time.monotonic() + settings.stream_heartbeat_s


async def _stream(
    pool: asyncpg.Pool,
    listener: NotificationListener,
    principal: Principal,
    *,
    after: int | None,
    settings: CareTeamSettings,
) -> AsyncIterator[str]:
    # Subscribed before the start is read, so a notification committed meanwhile wakes us.
    with listener.subscribe(principal.subject) as subscription:
        start = await _start_after(pool, principal.subject, after)
        async for chunk in _events(pool, subscription, principal, after=start, settings=settings):
            yield chunk


@router.get(
    "/stream",
    summary="My notifications live, as Server-Sent Events",
    description=(
        "Each message: `id: <seq>`, `event: notification`, `data: <notification JSON>`. "
        "Reconnect with the `Last-Event-ID` header (or `last_event_id`) to receive, in order, "
        "every notification after it; without one the stream starts with new ones. Digest "
        "notifications are not pushed (they are in the inbox). A `: keepalive` comment is "
        "sent when idle."
    ),
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def stream_notifications(
    request: Request,
    principal: CurrentPrincipal,
    pool: PoolDep,
    last_event_id_header: Annotated[int | None, Header(alias="Last-Event-ID", ge=0)] = None,
    last_event_id: Annotated[
        int | None, Query(ge=0, description="For clients that cannot set Last-Event-ID")
    ] = None,
) -> StreamingResponse:
    recipient(principal)
    runtime: ServiceRuntime = request.app.state.runtime
    settings = runtime.settings
    assert isinstance(settings, CareTeamSettings)
    listener: NotificationListener = request.app.state.notification_listener
    stream_pool: StreamPool = request.app.state.stream_pool
    pool = stream_pool.pool_or(pool)
    after = last_event_id_header if last_event_id_header is not None else last_event_id
    return StreamingResponse(
        _stream(pool, listener, principal, after=after, settings=settings),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
