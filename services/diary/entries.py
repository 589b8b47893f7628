"""Use cases: record, correct and delete diary entries, each announced through the outbox
in the same transaction. Retries with the same entry id and content change nothing."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

import asyncpg
from pydantic import BaseModel

from services.diary.adapters import repository
from services.diary.alerting import raise_due_alerts
from services.diary.domain.entries import EntryConflict, EntryKind, EntryNotFound, content
from services.diary.entry_kinds import KINDS
from shared import outbox
from shared.db import Connection
from shared.events.diary import EntryDeleted, EntryDeletedData, EntryType
from shared.events.envelope import new_patient_event

SOURCE = "/carecoord/diary"


class Outcome(StrEnum):
    CREATED = "created"
    CORRECTED = "corrected"
    UNCHANGED = "unchanged"
    DELETED = "deleted"


@dataclass(frozen=True)
class Recorded:
    data: BaseModel
    outcome: Outcome


def _build(
    kind: EntryKind, patient_id: str, values: dict[str, Any], revision: int, now: datetime
) -> BaseModel:
    return kind.data.model_validate(
        {**kind.derive(values), "patient_id": patient_id, "revision": revision, "recorded_at": now}
    )


async def _announce(conn: Connection, kind: EntryKind, data: BaseModel, topic: str) -> None:
    patient_id: str = getattr(data, "patient_id")  # noqa: B009 - every entry kind has it
    event = new_patient_event(kind.event, source=SOURCE, patient_id=patient_id, data=data)
    await outbox.enqueue(conn, event, topic=topic, key=patient_id)


async def record(
    conn: Connection,
    kind: EntryKind,
    patient_id: str,
    entry_id: UUID,
    values: dict[str, Any],
    *,
    topic: str,
    now: datetime,
    alerts: bool = True,
) -> Recorded:
    """A new entry; the same entry again (a retry) is `unchanged`; other content is a conflict.
    `alerts=False` leaves the alert evaluation to the caller (a bulk import does it once)."""
    data = _build(kind, patient_id, values, revision=1, now=now)
    async with conn.transaction():
        try:
            async with conn.transaction():  # a savepoint: the day's check-in may exist
                inserted = await repository.insert_entry(
                    conn,
                    patient_id,
                    entry_id,
                    kind.entry_type.value,
                    occurred_at=kind.occurred_at(data),
                    local_date=kind.local_date(data),
                    data=data.model_dump(mode="json"),
                )
        except asyncpg.UniqueViolationError:
            raise EntryConflict() from None
        if inserted:
            await _announce(conn, kind, data, topic)
            if alerts:
                await raise_due_alerts(conn, patient_id, topic=topic, now=now)
            return Recorded(data, Outcome.CREATED)
        stored = await repository.get_entry(conn, patient_id, entry_id)
    assert stored is not None
    if stored["entry_type"] != kind.entry_type.value or stored["deleted_at"] is not None:
        raise EntryConflict()
    if content(stored["data"]) != content(data):
        raise EntryConflict()
    return Recorded(kind.data.model_validate(stored["data"]), Outcome.UNCHANGED)


async def correct(
    conn: Connection,
    kind: EntryKind,
    patient_id: str,
    entry_id: UUID,
    values: dict[str, Any],
    *,
    topic: str,
    now: datetime,
) -> Recorded:
    """Replace an entry's content; announced as the next revision."""
    async with conn.transaction():
        stored = await repository.get_entry(conn, patient_id, entry_id)
        if stored is None or stored["deleted_at"] is not None:
            raise EntryNotFound()
        if stored["entry_type"] != kind.entry_type.value:
            raise EntryConflict()
        data = _build(kind, patient_id, values, revision=stored["revision"] + 1, now=now)
        if content(stored["data"]) == content(data):
            return Recorded(kind.data.model_validate(stored["data"]), Outcome.UNCHANGED)
        try:
            async with conn.transaction():
                await repository.update_entry(
                    conn,
                    patient_id,
                    entry_id,
                    occurred_at=kind.occurred_at(data),
                    local_date=kind.local_date(data),
                    data=data.model_dump(mode="json"),
                    revision=stored["revision"] + 1,
                )
        except asyncpg.UniqueViolationError:
            raise EntryConflict() from None
        await _announce(conn, kind, data, topic)
        await raise_due_alerts(conn, patient_id, topic=topic, now=now)
        return Recorded(data, Outcome.CORRECTED)


async def delete(
    conn: Connection,
    entry_type: EntryType,
    patient_id: str,
    entry_id: UUID,
    *,
    topic: str,
    now: datetime,
) -> Outcome:
    async with conn.transaction():
        stored = await repository.get_entry(conn, patient_id, entry_id)
        if stored is None or stored["entry_type"] != entry_type.value:
            raise EntryNotFound()
        if stored["deleted_at"] is not None:
            return Outcome.UNCHANGED  # a retried DELETE
        revision = stored["revision"] + 1
        await repository.mark_deleted(conn, patient_id, entry_id, revision=revision, at=now)
        data = EntryDeletedData(
            entry_id=entry_id,
            patient_id=patient_id,
            entry_type=entry_type,
            revision=revision,
            deleted_at=now,
        )
        event = new_patient_event(EntryDeleted, source=SOURCE, patient_id=patient_id, data=data)
        await outbox.enqueue(conn, event, topic=topic, key=patient_id)
        await raise_due_alerts(conn, patient_id, topic=topic, now=now)
        return Outcome.DELETED


def kind_of(entry_type: EntryType) -> EntryKind:
    return KINDS[entry_type]
