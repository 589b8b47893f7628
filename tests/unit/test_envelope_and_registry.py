import json
import re
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from shared.events.diary import AttackRecorded
from shared.events.envelope import CloudEvent, decode_json_body, encode_event, new_patient_event
from shared.events.prescriptions import PrescriptionEvent, PrescriptionStopped
from shared.events.registry import CONTRACT, TOPIC_OF_TYPE, Topic, dead_letter_topic, type_name

PRESCRIPTIONS = TypeAdapter(PrescriptionEvent)

STOPPED: dict[str, Any] = {
    "specversion": "1.0",
    "id": "e-1",
    "source": "/ehr/epic",
    "type": "org.carecoord.prescription.stopped.v1",
    "subject": "patient/p-17",
    "time": "2026-11-01T09:30:00Z",
    "datacontenttype": "application/json",
    "data": {
        "prescription_id": "rx-881",
        "patient_id": "p-17",
        "prescriber": {"id": "dr-okafor", "role": "psychiatrist"},
        "effective_at": "2026-11-01T09:30:00Z",
    },
}


def test_every_contract_type_is_registered_once_under_its_topic() -> None:
    names = [type_name(t) for spec in CONTRACT for t in spec.event_types]
    assert len(names) == len(set(names)) == len(TOPIC_OF_TYPE)
    assert all(re.fullmatch(r"org\.carecoord\.[a-z_.]+\.v1", n) for n in names)
    assert TOPIC_OF_TYPE["org.carecoord.prescription.started.v1"] is Topic.PRESCRIPTIONS
    assert TOPIC_OF_TYPE["org.carecoord.notification.created.v1"] is Topic.NOTIFICATIONS
    assert {spec.topic for spec in CONTRACT} == set(Topic)


def test_dead_letter_topic_is_the_source_topic_with_suffix() -> None:
    assert dead_letter_topic("carecoord.diary.v1") == "carecoord.diary.v1.dlq"


def test_design_example_event_decodes_to_its_type() -> None:
    event = PRESCRIPTIONS.validate_python(STOPPED)
    assert isinstance(event, PrescriptionStopped)
    assert event.data.prescriber.id == "dr-okafor"


def test_unknown_type_on_the_prescription_topic_is_rejected() -> None:
    with pytest.raises(ValidationError):
        PRESCRIPTIONS.validate_python({**STOPPED, "type": "org.carecoord.prescription.paused.v1"})


def test_naive_timestamps_are_rejected() -> None:
    naive = {**STOPPED, "data": {**STOPPED["data"], "effective_at": "2026-11-01T09:30:00"}}
    with pytest.raises(ValidationError) as info:
        PRESCRIPTIONS.validate_python(naive)
    assert ("data", "effective_at") in {
        tuple(str(p) for p in e["loc"][-2:]) for e in info.value.errors()
    }


def test_extension_attributes_survive_a_round_trip() -> None:
    event = PRESCRIPTIONS.validate_python({**STOPPED, "traceparent": "00-abc-def-01"})
    assert json.loads(encode_event(event))["traceparent"] == "00-abc-def-01"


def test_new_patient_event_fills_envelope_and_encodes_rfc3339_utc() -> None:
    data = {
        "entry_id": "5f0c3f0e-8a43-4c49-9d0e-0c2f6f1f3a11",
        "patient_id": "p-1",
        "started_at": "2026-11-01T08:00:00+01:00",
        "intensity": 2,
        "recorded_at": "2026-11-01T09:00:00Z",
    }
    event = new_patient_event(
        AttackRecorded, source="/carecoord/diary", patient_id="p-1", data=data
    )
    wire = json.loads(encode_event(event))
    assert wire["type"] == "org.carecoord.diary.attack.recorded.v1"
    assert wire["subject"] == "patient/p-1"
    assert wire["specversion"] == "1.0"
    assert wire["time"].endswith("Z")
    assert "dataschema" not in wire  # absent attributes are omitted ...
    assert wire["data"]["ended_at"] is None  # ... but data keeps every field
    assert CloudEvent[dict].model_validate(wire).id == event.id  # type: ignore[type-arg]


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b""])
def test_strict_decoding_raises_on_malformed_bytes(body: bytes) -> None:
    with pytest.raises(ValueError):
        decode_json_body(body)
