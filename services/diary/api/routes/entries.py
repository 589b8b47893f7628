"""One router per entry kind, all with the same shape: POST (idempotent by entry id),
GET one, PUT (a correction: the next revision), DELETE (announced, idempotent)."""

from typing import Any, cast
from uuid import UUID

from fastapi import APIRouter, HTTPException, Response, status

from services.diary.adapters import repository
from services.diary.api.access import authorize_read, authorize_write
from services.diary.api.deps import NowDep
from services.diary.domain.entries import EntryBody, EntryConflict, EntryKind, EntryNotFound
from services.diary.entries import Outcome, correct, delete, record
from shared.auth import CurrentPrincipal
from shared.events.registry import Topic
from shared.http import PoolDep, RuntimeDep

CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "The entry id (or the day's check-in) holds other content"}
}


def entry_router(kind: EntryKind, path: str, model: type[EntryBody], noun: str) -> APIRouter:
    router = APIRouter(prefix=f"/patients/{{patient_id}}/{path}", tags=[path])
    resource = kind.entry_type.value

    @router.post(
        "",
        status_code=status.HTTP_201_CREATED,
        response_model=kind.data,
        summary=f"Record {noun}",
        responses={200: {"description": "Already recorded (a retry): nothing changed"}, **CONFLICT},
    )
    async def post_entry(
        patient_id: str,
        entry: model,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        pool: PoolDep,
        runtime: RuntimeDep,
        response: Response,
        now: NowDep,
    ) -> Any:
        body = cast(EntryBody, entry)
        values = body.model_dump(mode="json")
        async with pool.acquire() as conn:
            await authorize_write(conn, principal, patient_id, resource=resource)
            try:
                result = await record(
                    conn,
                    kind,
                    patient_id,
                    body.entry_id,
                    values,
                    topic=runtime.settings.topic(Topic.DIARY),
                    now=now,
                )
            except EntryConflict:
                raise HTTPException(status.HTTP_409_CONFLICT, detail=f"{noun} conflicts") from None
        if result.outcome is Outcome.UNCHANGED:
            response.status_code = status.HTTP_200_OK
        return result.data

    @router.get("/{entry_id}", response_model=kind.data, summary=f"One {noun}")
    async def get_entry(
        patient_id: str, entry_id: UUID, principal: CurrentPrincipal, pool: PoolDep
    ) -> Any:
        async with pool.acquire() as conn:
            await authorize_read(conn, principal, patient_id, resource=resource)
            stored = await repository.get_entry(conn, patient_id, entry_id)
        if stored is None or stored["deleted_at"] or stored["entry_type"] != resource:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no such {resource}")
        return kind.data.model_validate(stored["data"])

    @router.put(
        "/{entry_id}",
        response_model=kind.data,
        summary=f"Correct {noun} (published again as the next revision)",
        responses={404: {"description": "No such entry"}, **CONFLICT},
    )
    async def put_entry(
        patient_id: str,
        entry_id: UUID,
        entry: model,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        pool: PoolDep,
        runtime: RuntimeDep,
        now: NowDep,
    ) -> Any:
        body = cast(EntryBody, entry)
        if body.entry_id != entry_id:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                detail=[
                    {
                        "loc": ["body", "entry_id"],
                        "msg": "must match the entry id in the path",
                        "type": "value_error",
                    }
                ],
            )
        async with pool.acquire() as conn:
            await authorize_write(conn, principal, patient_id, resource=resource)
            try:
                result = await correct(
                    conn,
                    kind,
                    patient_id,
                    entry_id,
                    body.model_dump(mode="json"),
                    topic=runtime.settings.topic(Topic.DIARY),
                    now=now,
                )
            except EntryNotFound:
                raise HTTPException(
                    status.HTTP_404_NOT_FOUND, detail=f"no such {resource}"
                ) from None
            except EntryConflict:
                raise HTTPException(status.HTTP_409_CONFLICT, detail=f"{noun} conflicts") from None
        return result.data

    @router.delete(
        "/{entry_id}",
        status_code=status.HTTP_204_NO_CONTENT,
        summary=f"Delete {noun} (announced as diary.entry.deleted)",
        responses={404: {"description": "No such entry"}},
    )
    async def delete_entry(
        patient_id: str,
        entry_id: UUID,
        principal: CurrentPrincipal,
        pool: PoolDep,
        runtime: RuntimeDep,
        now: NowDep,
    ) -> None:
        async with pool.acquire() as conn:
            await authorize_write(conn, principal, patient_id, resource=resource)
            try:
                await delete(
                    conn,
                    kind.entry_type,
                    patient_id,
                    entry_id,
                    topic=runtime.settings.topic(Topic.DIARY),
                    now=now,
                )
            except EntryNotFound:
                raise HTTPException(
                    status.HTTP_404_NOT_FOUND, detail=f"no such {resource}"
                ) from None

    return router
