"""The CloudEvents 1.0 envelope, structured JSON mode.

Every carecoord message is one of these; `data` is typed per event type.
"""

import json
from datetime import UTC, datetime
from typing import Any, Generic, Literal, TypeVar
from uuid import uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

CONTENT_TYPE = "application/cloudevents+json"

DataT = TypeVar("DataT")


class CloudEvent(BaseModel, Generic[DataT]):
    # Extension attributes are legal CloudEvents; keep them instead of failing.
    model_config = ConfigDict(extra="allow")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1, description="Unique per source; consumers dedupe on it")
    source: str = Field(min_length=1, description="URI-reference of the producer")
    type: str = Field(min_length=1, description="org.carecoord.<name>.v1")
    subject: str | None = Field(default=None, description="patient/<id> or clinician/<id>")
    time: AwareDatetime | None = None
    datacontenttype: str = "application/json"
    dataschema: str | None = None
    data: DataT


def new_event_id() -> str:
    return str(uuid4())


def utc_now() -> datetime:
    return datetime.now(UTC)


_OPTIONAL_ATTRIBUTES = ("subject", "time", "dataschema")


def encode_event(event: CloudEvent[Any]) -> bytes:
    # Absent optional CloudEvents attributes are omitted; `data` keeps its nulls, so
    # consumers see every field of the schema. Serialised by pydantic's core in one pass
    # (a dict and json.dumps took about four times as long; every event goes through here).
    absent = {k for k in _OPTIONAL_ATTRIBUTES if getattr(event, k) is None}
    if event.model_extra:
        absent.update(k for k, v in event.model_extra.items() if v is None)
    return event.__pydantic_serializer__.to_json(event, exclude=absent or None)


def decode_json_body(body: bytes) -> Any:
    """Strict JSON decoding: malformed bytes raise, so the message dead-letters."""
    return json.loads(body.decode("utf-8"))


EventT = TypeVar("EventT", bound=CloudEvent[Any])


def new_patient_event(
    event_cls: type[EventT], *, source: str, patient_id: str, data: Any
) -> EventT:
    """A fresh event about one patient (`type` comes from the event class)."""
    return event_cls(  # type: ignore[call-arg]  # `type` defaults per event class
        id=new_event_id(),
        source=source,
        subject=f"patient/{patient_id}",
        time=utc_now(),
        data=data,
    )
