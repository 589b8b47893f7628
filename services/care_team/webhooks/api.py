"""Webhook subscriptions over HTTP: register, list, inspect deliveries, deactivate, redeliver.

A clinician registers endpoints for their own notifications; an integration (service
principal) may register one for any named clinician. Only the owner, or an integration,
sees a subscription: anyone else gets 404, so its existence is not revealed.
"""

from collections import defaultdict
from typing import Annotated, Any
from uuid import UUID, uuid4

import asyncpg
from fastapi import APIRouter, HTTPException, Query, status
from fastapi.exceptions import RequestValidationError

from services.care_team.api.deps import ContextDep
from services.care_team.webhooks import subscription_repository as repository
from services.care_team.webhooks.endpoint_urls import url_problem
from services.care_team.webhooks.schemas import (
    AttemptOut,
    DeliveryOut,
    DeliveryStatus,
    ServiceWebhookIn,
    WebhookCreated,
    WebhookIn,
    WebhookOut,
)
from services.care_team.webhooks.signing import new_secret
from shared.auth import CurrentPrincipal, Principal, PrincipalKind
from shared.db import Connection
from shared.http import PoolDep, RuntimeDep
from shared.settings import Environment

router = APIRouter(tags=["webhooks"])
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such subscription, or not yours"}
}


def _not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail="no such webhook subscription")


def _may_see(principal: Principal, subscription: asyncpg.Record) -> bool:
    match principal.kind:
        case PrincipalKind.SERVICE:
            return True
        case PrincipalKind.CLINICIAN:
            return bool(subscription["owner_id"] == principal.subject)
    return False


async def _visible(conn: Connection, principal: Principal, subscription_id: UUID) -> asyncpg.Record:
    found = await repository.get(conn, subscription_id)
    if found is None or not _may_see(principal, found):
        raise _not_found()
    return found


def _check_url(url: str, runtime: RuntimeDep) -> None:
    problem = url_problem(url, production=runtime.settings.environment is Environment.PRODUCTION)
    if problem is not None:
        raise RequestValidationError(
            [{"loc": ("body", "url"), "msg": f"url {problem}", "type": "value_error", "input": url}]
        )


async def _register(
    body: WebhookIn, recipient_id: str, principal: Principal, pool: PoolDep, ctx: ContextDep
) -> WebhookCreated:
    secret = new_secret()
    async with pool.acquire() as conn:
        row = await repository.create(
            conn,
            subscription_id=uuid4(),
            owner_id=principal.subject,
            recipient_id=recipient_id,
            url=body.url,
            description=body.description,
            secret=secret,
            created_at=ctx.clock(),
        )
    return WebhookCreated(**dict(row), secret=secret)


@router.post(
    "/clinicians/me/webhooks",
    status_code=status.HTTP_201_CREATED,
    summary="Register an endpoint for my notifications (the secret is shown only here)",
)
async def post_my_webhook(
    body: WebhookIn,
    principal: CurrentPrincipal,
    pool: PoolDep,
    ctx: ContextDep,
    runtime: RuntimeDep,
) -> WebhookCreated:
    if principal.kind is not PrincipalKind.CLINICIAN:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="for clinicians; use POST /webhooks")
    _check_url(body.url, runtime)
    return await _register(body, principal.subject, principal, pool, ctx)


@router.get("/clinicians/me/webhooks", summary="The endpoints I registered (no secrets)")
async def list_my_webhooks(
    principal: CurrentPrincipal, pool: PoolDep, active: bool | None = None
) -> list[WebhookOut]:
    if principal.kind is not PrincipalKind.CLINICIAN:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="for clinicians; use GET /webhooks")
    async with pool.acquire() as conn:
        rows = await repository.list_for(
            conn, owner_id=principal.subject, recipient_id=None, active=active
        )
    return [WebhookOut(**dict(r)) for r in rows]


@router.post(
    "/webhooks",
    status_code=status.HTTP_201_CREATED,
    summary="Register an endpoint for a clinician's notifications (an integration)",
    description="An integration may name any clinician; a clinician only themselves.",
)
async def post_webhook(
    body: ServiceWebhookIn,
    principal: CurrentPrincipal,
    pool: PoolDep,
    ctx: ContextDep,
    runtime: RuntimeDep,
) -> WebhookCreated:
    allowed = principal.kind is PrincipalKind.SERVICE or (
        principal.kind is PrincipalKind.CLINICIAN and principal.subject == body.recipient_id
    )
    if not allowed:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail="only an integration registers for someone else"
        )
    _check_url(body.url, runtime)
    return await _register(body, body.recipient_id, principal, pool, ctx)


@router.get(
    "/webhooks",
    summary="Subscriptions I may see (an integration: all, or a recipient's)",
)
async def list_webhooks(
    principal: CurrentPrincipal,
    pool: PoolDep,
    recipient_id: str | None = None,
    active: bool | None = None,
) -> list[WebhookOut]:
    if principal.kind is PrincipalKind.SERVICE:
        owner_id = None
    elif principal.kind is PrincipalKind.CLINICIAN:
        owner_id = principal.subject
    else:
        return []
    async with pool.acquire() as conn:
        rows = await repository.list_for(
            conn, owner_id=owner_id, recipient_id=recipient_id, active=active
        )
    return [WebhookOut(**dict(r)) for r in rows]


@router.get("/webhooks/{subscription_id}", summary="One subscription", responses=_NOT_FOUND)
async def get_webhook(
    subscription_id: UUID, principal: CurrentPrincipal, pool: PoolDep
) -> WebhookOut:
    async with pool.acquire() as conn:
        return WebhookOut(**dict(await _visible(conn, principal, subscription_id)))


@router.delete(
    "/webhooks/{subscription_id}",
    summary="Deactivate: nothing more is sent (the history stays)",
    responses=_NOT_FOUND,
)
async def delete_webhook(
    subscription_id: UUID, principal: CurrentPrincipal, pool: PoolDep, ctx: ContextDep
) -> WebhookOut:
    async with pool.acquire() as conn, conn.transaction():
        await _visible(conn, principal, subscription_id)
        await repository.deactivate(conn, subscription_id, ctx.clock())
        return WebhookOut(**dict(await _visible(conn, principal, subscription_id)))


async def _deliveries_out(
    conn: Connection, subscription_id: UUID, rows: list[asyncpg.Record]
) -> list[DeliveryOut]:
    attempts: defaultdict[UUID, list[AttemptOut]] = defaultdict(list)
    ids = [r["notification_id"] for r in rows]
    for a in await repository.attempts(conn, subscription_id, ids):
        attempts[a["notification_id"]].append(
            AttemptOut(**{k: v for k, v in a.items() if k != "notification_id"})
        )
    return [
        DeliveryOut(
            notification_id=r["notification_id"],
            seq=r["seq"],
            status=DeliveryStatus(r["status"]),
            attempt_count=r["attempts"],
            next_attempt_at=r["next_attempt_at"] if r["status"] == "pending" else None,
            first_attempt_at=r["first_attempt_at"],
            finished_at=r["finished_at"],
            attempts=attempts[r["notification_id"]],
        )
        for r in rows
    ]


@router.get(
    "/webhooks/{subscription_id}/deliveries",
    summary="Deliveries in seq order, each with every attempt (status code, error, duration)",
    description="Page with `after` (the last seq seen); `status=dead` lists the dead letters.",
    responses=_NOT_FOUND,
)
async def list_deliveries(
    subscription_id: UUID,
    principal: CurrentPrincipal,
    pool: PoolDep,
    status_filter: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DeliveryOut]:
    async with pool.acquire() as conn:
        await _visible(conn, principal, subscription_id)
        rows = await repository.deliveries(
            conn,
            subscription_id,
            status=status_filter.value if status_filter else None,
            after_seq=after,
            limit=limit,
        )
        return await _deliveries_out(conn, subscription_id, rows)


@router.post(
    "/webhooks/{subscription_id}/deliveries/{notification_id}/redeliver",
    summary="Re-queue a dead delivery (at its place in seq order, with a fresh retry window)",
    responses={**_NOT_FOUND, 409: {"description": "Not dead, or the subscription is inactive"}},
)
async def redeliver(
    subscription_id: UUID,
    notification_id: UUID,
    principal: CurrentPrincipal,
    pool: PoolDep,
    ctx: ContextDep,
) -> DeliveryOut:
    async with pool.acquire() as conn, conn.transaction():
        subscription = await _visible(conn, principal, subscription_id)
        if await repository.delivery(conn, subscription_id, notification_id) is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such delivery")
        if not subscription["active"]:
            raise HTTPException(status.HTTP_409_CONFLICT, detail="the subscription is inactive")
        if not await repository.requeue_dead(conn, subscription_id, notification_id, ctx.clock()):
            raise HTTPException(
                status.HTTP_409_CONFLICT, detail="only a dead delivery is re-queued"
            )
        # Wake the delivery workers now rather than at their next poll.
        await conn.execute(
            "SELECT pg_notify($1, $2)", ctx.notify_channel, subscription["recipient_id"]
        )
        row = await repository.delivery(conn, subscription_id, notification_id)
        assert row is not None
        (out,) = await _deliveries_out(conn, subscription_id, [row])
    return out
