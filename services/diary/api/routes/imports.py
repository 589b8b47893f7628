"""Bulk import (moving from another diary app): each item validated and recorded on its
own, with a result per item; one bad item never blocks the others."""

from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from services.diary.alerting import raise_due_alerts
from services.diary.api.access import authorize_write
from services.diary.api.deps import NowDep
from services.diary.domain.attacks import AttackEntry
from services.diary.domain.checkins import CheckinEntry
from services.diary.domain.entries import EntryConflict, EntryKind
from services.diary.domain.questionnaire_entry import QuestionnaireEntry
from services.diary.entries import record
from services.diary.entry_kinds import ATTACK, CHECKIN, QUESTIONNAIRE
from shared.auth import CurrentPrincipal
from shared.events.registry import Topic
from shared.http import PoolDep, RuntimeDep

router = APIRouter(prefix="/patients/{patient_id}/diary", tags=["import"])

_KINDS: dict[str, tuple[EntryKind, TypeAdapter[Any]]] = {
    "questionnaire": (QUESTIONNAIRE, TypeAdapter(QuestionnaireEntry)),
    "attack": (ATTACK, TypeAdapter(AttackEntry)),
    "checkin": (CHECKIN, TypeAdapter(CheckinEntry)),
}


class ImportItem(BaseModel):
    type: Literal["attack", "checkin", "questionnaire"]
    entry: dict[str, Any]


class ImportIn(BaseModel):
    items: list[ImportItem] = Field(min_length=1, max_length=5000)


class ItemResult(BaseModel):
    index: int
    type: str
    entry_id: UUID | None
    status: Literal["created", "unchanged", "invalid", "conflict"]
    errors: list[dict[str, Any]] = Field(default_factory=list)


class ImportOut(BaseModel):
    created: int
    unchanged: int
    failed: int
    items: list[ItemResult]


@router.post("/import", summary="Import many entries at once, with a result per item")
async def import_entries(
    patient_id: str,
    body: ImportIn,
    principal: CurrentPrincipal,
    pool: PoolDep,
    runtime: RuntimeDep,
    now: NowDep,
) -> ImportOut:
    topic = runtime.settings.topic(Topic.DIARY)
    results: list[ItemResult] = []
    async with pool.acquire() as conn:
        await authorize_write(conn, principal, patient_id, resource="import")
        for index, item in enumerate(body.items):
            kind, adapter = _KINDS[item.type]
            try:
                entry = adapter.validate_python(item.entry)
            except ValidationError as exc:
                errors = [
                    {
                        "loc": ["items", index, "entry", *e["loc"]],
                        "msg": e["msg"],
                        "type": e["type"],
                    }
                    for e in exc.errors(include_input=False, include_url=False)
                ]
                results.append(
                    ItemResult(
                        index=index, type=item.type, entry_id=None, status="invalid", errors=errors
                    )
                )
                continue
            try:
                outcome = await record(
                    conn,
                    kind,
                    patient_id,
                    entry.entry_id,
                    entry.model_dump(mode="json"),
                    topic=topic,
                    now=now,
                    alerts=False,
                )
                status_: Literal["created", "unchanged", "conflict"] = (
                    "created" if outcome.outcome.value == "created" else "unchanged"
                )
            except EntryConflict:
                status_ = "conflict"
            results.append(
                ItemResult(index=index, type=item.type, entry_id=entry.entry_id, status=status_)
            )
        if any(r.status == "created" for r in results):
            async with conn.transaction():
                await raise_due_alerts(conn, patient_id, topic=topic, now=now)
    return ImportOut(
        created=sum(r.status == "created" for r in results),
        unchanged=sum(r.status == "unchanged" for r in results),
        failed=sum(r.status in ("invalid", "conflict") for r in results),
        items=results,
    )
