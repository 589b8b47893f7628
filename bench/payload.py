"""The benchmark's message: a real `prescription.started` CloudEvent, 500 bytes of JSON.

The same bytes go through raw aiokafka, FastStream and the PostgreSQL outbox, so the
figures compare; the pydantic model is the one the services validate against.
"""

from datetime import UTC, datetime

from shared.events.envelope import encode_event
from shared.events.prescriptions import (
    Medication,
    Prescriber,
    PrescriberRole,
    PrescriptionData,
    PrescriptionStarted,
)

EVENT_BYTES = 500
PATIENTS = 1000  # keys spread over the partitions as a real patient population would
_EFFECTIVE = datetime(2026, 11, 25, 12, tzinfo=UTC)


def event_id(index: int) -> str:
    return f"b-{index:08d}"


def patient_id(index: int) -> str:
    return f"patient-{index % PATIENTS:04d}"


def prescription_event(index: int, size: int = EVENT_BYTES) -> tuple[bytes, bytes]:
    """(key, value) of event `index`: key = patient id, value = exactly `size` bytes
    (the `indication` text pads it)."""
    patient = patient_id(index)

    def encoded(indication: str) -> bytes:
        event = PrescriptionStarted(
            id=event_id(index),
            source="/ehr",
            subject=f"patient/{patient}",
            time=_EFFECTIVE,
            data=PrescriptionData(
                prescription_id=f"rx-{index:08d}",
                patient_id=patient,
                prescriber=Prescriber(id="dr-7", role=PrescriberRole.PSYCHIATRIST),
                effective_at=_EFFECTIVE,
                medication=Medication(name="sertraline"),
                dose="100 mg",
                frequency="once daily",
                indication=indication,
            ),
        )
        return encode_event(event)

    short = encoded("depression")
    missing = size - len(short)
    if missing < 0:
        raise ValueError(f"a prescription event needs at least {len(short)} bytes")
    value = encoded("depression" + " " * missing) if missing else short
    return patient.encode(), value


def prescription_events(count: int, size: int = EVENT_BYTES) -> list[tuple[bytes, bytes]]:
    """`count` distinct events; the fixed-width ids let one encoded template serve them all
    (pydantic would spend seconds on 100k of them)."""
    _, template = prescription_event(0, size)
    events = []
    for index in range(count):
        patient = patient_id(index).encode()
        value = (
            template.replace(event_id(0).encode(), event_id(index).encode())
            .replace(b"rx-00000000", f"rx-{index:08d}".encode())
            .replace(b"patient-0000", patient)
        )
        events.append((patient, value))
    return events
