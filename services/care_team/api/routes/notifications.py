"""The clinician's notification inbox: only the recipient sees, reads or acknowledges one.

Another clinician's notification is 404 (its existence is not revealed); patients and
integrations have no inbox here (403). Each patient whose data is returned is audited.
"""

from collections.abc import Iterable, Mapping
from typing import Annotated, Any
from uuid import UUID

import asyncpg
from fastapi import APIRouter, HTTPException, Query, status

from services.care_team.adapters import notification_repository as repository
from services.care_team.api.deps import ContextDep
from services.care_team.api.notification_schemas import InboxNotification, InboxPage
from shared.audit import record_access
from shared.auth import CurrentPrincipal, Principal, PrincipalKind
from shared.db import Connection
from shared.events.notifications import NotificationPriority
from shared.http import PoolDep

router = APIRouter(prefix="/clinicians/me/notifications", tags=["notifications"])
RESOURCE = "notifications"


def recipient(principal: Principal) -> str:
    """The clinician whose notifications these are; anyone else is refused."""
    if principal.kind is not PrincipalKind.CLINICIAN:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="notifications are for clinicians")
    return principal.subject


def _not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail="no such notification")


def patients_in(patient_id: str, data: Mapping[str, Any]) -> list[str]:
    """Whose data a notification shows: its patient, or each listed item's (a digest or a
    quiet-hours summary spans patients and has none of its own)."""
    if patient_id:
        return [patient_id]
    return [str(i["patient_id"]) for i in data.get("items", ()) if i.get("patient_id")]


async def audit_read(
    conn: Connection, principal: Principal, patient_ids: Iterable[str], *, resource: str
) -> None:
    for patient_id in sorted(set(patient_ids)):
        await record_access(
            conn, principal, action="read", patient_id=patient_id, resource=resource, allowed=True
        )


def _item(row: asyncpg.Record) -> InboxNotification:
    return InboxNotification(
        **repository.to_data(row).model_dump(),
        read_at=row["read_at"],
        acknowledged_at=row["acknowledged_at"],
    )


@router.get(
    "",
    summary="My notifications, oldest first",
    description="Page with `after` (the `next_after` of the previous page). Filters combine.",
)
async def list_notifications(
    principal: CurrentPrincipal,
    pool: PoolDep,
    unread: Annotated[bool | None, Query(description="true: only unread; false: read")] = None,
    priority: Annotated[NotificationPriority | None, Query()] = None,
    patient_id: Annotated[str | None, Query(min_length=1)] = None,
    after: Annotated[int, Query(ge=0, description="The last seq already seen")] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> InboxPage:
    clinician = recipient(principal)
    async with pool.acquire() as conn, conn.transaction():
        rows = await repository.list_for(
            conn,
            clinician,
            unread=unread,
            priority=priority.value if priority else None,
            patient_id=patient_id,
            after_seq=after,
            limit=limit + 1,  # one more tells whether another page follows
        )
        page = rows[:limit]
        await audit_read(
            conn,
            principal,
            (p for r in page for p in patients_in(r["patient_id"], r["data"])),
            resource=RESOURCE,
        )
    more = len(rows) > limit
    return InboxPage(items=[_item(r) for r in page], next_after=page[-1]["seq"] if more else None)


@router.get("/{notification_id}", summary="One of my notifications")
async def get_notification(
    notification_id: UUID, principal: CurrentPrincipal, pool: PoolDep
) -> InboxNotification:
    clinician = recipient(principal)
    async with pool.acquire() as conn, conn.transaction():
        row = await repository.get_for(conn, clinician, notification_id)
        if row is None:
            raise _not_found()
        await audit_read(
            conn, principal, patients_in(row["patient_id"], row["data"]), resource=RESOURCE
        )
    return _item(row)


async def _mark(
    principal: Principal, pool: asyncpg.Pool, ctx: ContextDep, notification_id: UUID, field: str
) -> InboxNotification:
    clinician = recipient(principal)
    async with pool.acquire() as conn, conn.transaction():
        row = await repository.mark(conn, clinician, notification_id, field=field, at=ctx.clock())
        if row is None:
            raise _not_found()
        await audit_read(
            conn, principal, patients_in(row["patient_id"], row["data"]), resource=RESOURCE
        )
    return _item(row)


@router.post(
    "/{notification_id}/read",
    summary="Mark one of my notifications read (idempotent: the first time is kept)",
)
async def mark_read(
    notification_id: UUID, principal: CurrentPrincipal, pool: PoolDep, ctx: ContextDep
) -> InboxNotification:
    return await _mark(principal, pool, ctx, notification_id, "read_at")


@router.post(
    "/{notification_id}/acknowledge",
    summary="Acknowledge one of my notifications (also reads it; idempotent)",
    description="Acknowledging an urgent notification is what stops its escalation.",
)
async def acknowledge(
    notification_id: UUID, principal: CurrentPrincipal, pool: PoolDep, ctx: ContextDep
) -> InboxNotification:
    return await _mark(principal, pool, ctx, notification_id, "acknowledged_at")
