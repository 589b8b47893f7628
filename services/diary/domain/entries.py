"""What every diary entry kind shares: how it is stored, announced and compared."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from shared.events.diary import EntryType
from shared.events.envelope import CloudEvent


class EntryBody(BaseModel):
    """What every entry posted by a client has: its own id."""

    entry_id: UUID = Field(description="Chosen by the client; a retried POST with it is a no-op")


class EntryConflict(Exception):
    """The entry id (or the check-in's day) is already used for different content."""


class EntryNotFound(Exception):
    pass


@dataclass(frozen=True)
class EntryKind:
    """How one kind of entry becomes its event data and its stored row."""

    entry_type: EntryType
    event: type[CloudEvent[Any]]
    data: type[BaseModel]
    occurred_at: Callable[[BaseModel], datetime]
    local_date: Callable[[BaseModel], date | None]
    # Fields computed from what the client sent (a questionnaire's total and band).
    derive: Callable[[dict[str, Any]], dict[str, Any]] = lambda values: values


# Fields that describe the entry, not its bookkeeping: what a retry must repeat exactly.
BOOKKEEPING = frozenset({"patient_id", "revision", "recorded_at"})


def content(data: BaseModel | dict[str, Any]) -> dict[str, Any]:
    values = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
    return {k: v for k, v in values.items() if k not in BOOKKEEPING}


def entry_uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)
