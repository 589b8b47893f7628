"""What an EHR publishes on carecoord.prescriptions.v1 for the pipeline benchmark: each
patient's story in ten prescription events, keyed by patient, patients interleaved.

Per patient: the psychiatrist starts an antidepressant, the headache specialist a
migraine drug that interacts with it (triptan, amitriptyline or a beta blocker: minor to
major conflicts, so conflict events and notifications are really made), doses change, a
preventive starts, primary care adds and stops an NSAID, the antidepressant is switched
(stop, start another): five starts, three changes, two stops, in a clinic's order.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.events.envelope import CloudEvent, encode_event
from shared.events.prescriptions import (
    Medication,
    Prescriber,
    PrescriberRole,
    PrescriptionChanged,
    PrescriptionData,
    PrescriptionStarted,
    PrescriptionStopped,
    PrescriptionStoppedData,
)

EVENTS_PER_PATIENT = 10
SOURCE = "/ehr/bench"
_ANTIDEPRESSANTS = ("sertraline", "fluoxetine", "paroxetine", "venlafaxine")
# amitriptyline: moderate (DUP-01, PK-34); sumatriptan: minor (SER-01); metoprolol with
# fluoxetine: major (PK-39).
_MIGRAINE_DRUGS = ("amitriptyline", "sumatriptan", "metoprolol", "sumatriptan", "amitriptyline")
# Each clinician of a role treats one patient in CLINICIANS_PER_ROLE (200 of 10,000): every
# clinician's notification stream is written by many patients' events, as in a clinic.
CLINICIANS_PER_ROLE = 50


def clinician_ids(patient_index: int) -> tuple[str, str, str]:
    """The patient's psychiatrist, headache specialist and primary care clinician."""
    return tuple(  # type: ignore[return-value]
        f"dr-{role}-{(patient_index // spread) % CLINICIANS_PER_ROLE:02d}"
        for role, spread in (("psy", 1), ("head", 3), ("gp", 7))
    )


@dataclass(frozen=True)
class Step:
    kind: str  # started | changed | stopped
    rx: str  # which of the patient's prescriptions: ad, mig, prev, nsaid, ad2
    prescriber: Prescriber
    medication: str = ""
    dose: str = ""


def patient_story(patient_index: int) -> list[Step]:
    antidepressant = _ANTIDEPRESSANTS[patient_index % len(_ANTIDEPRESSANTS)]
    migraine = _MIGRAINE_DRUGS[patient_index % len(_MIGRAINE_DRUGS)]
    psy, head, gp = clinician_ids(patient_index)
    psychiatrist = Prescriber(id=psy, role=PrescriberRole.PSYCHIATRIST)
    headache = Prescriber(id=head, role=PrescriberRole.HEADACHE_SPECIALIST)
    primary = Prescriber(id=gp, role=PrescriberRole.PRIMARY_CARE)
    return [
        Step("started", "ad", psychiatrist, antidepressant, "20 mg"),
        Step("started", "mig", headache, migraine, "25 mg"),
        Step("changed", "ad", psychiatrist, antidepressant, "40 mg"),
        Step("started", "prev", headache, "topiramate", "25 mg"),
        Step("changed", "mig", headache, migraine, "50 mg"),
        Step("started", "nsaid", primary, "ibuprofen", "400 mg"),
        Step("changed", "prev", headache, "topiramate", "50 mg"),
        Step("stopped", "nsaid", primary),
        Step("stopped", "ad", psychiatrist),
        Step("started", "ad2", psychiatrist, "bupropion", "150 mg"),
    ]


def patient_id(run: str, index: int) -> str:
    return f"{run}-p{index:05d}"


def _event(run: str, patient_index: int, position: int, step: Step) -> CloudEvent[Any]:
    patient = patient_id(run, patient_index)
    at = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(hours=position)
    common = {
        "id": f"{run}-e{patient_index:05d}-{position:02d}",
        "source": SOURCE,
        "subject": f"patient/{patient}",
        "time": at,
    }
    rx = f"{patient}-{step.rx}"
    if step.kind == "stopped":
        stopped = PrescriptionStoppedData(
            prescription_id=rx, patient_id=patient, prescriber=step.prescriber, effective_at=at
        )
        return PrescriptionStopped(**common, data=stopped)
    data = PrescriptionData(
        prescription_id=rx,
        patient_id=patient,
        prescriber=step.prescriber,
        effective_at=at,
        medication=Medication(name=step.medication),
        dose=step.dose,
        route="oral",
        frequency="once daily",
        indication="depression" if step.rx.startswith("ad") else "migraine",
    )
    kind = PrescriptionStarted if step.kind == "started" else PrescriptionChanged
    return kind(**common, data=data)


def _numbers(patient_index: int) -> tuple[bytes, ...]:
    """What differs between two patients' events of the same story: fixed-width numbers."""
    return (
        f"-p{patient_index:05d}".encode(),
        f"-e{patient_index:05d}".encode(),
        *(c.encode() for c in clinician_ids(patient_index)),
    )


# Stories repeat every len(_ANTIDEPRESSANTS) * len(_MIGRAINE_DRUGS) patients.
_STORIES = 20


def ehr_events(run: str, events: int) -> list[tuple[bytes, bytes]]:
    """(key, value) of `events` events: the stories of events / 10 patients, round k
    carrying event k of every patient. Patient i's events are those of patient i % 20 with
    the ids replaced (fixed-width, so the bytes match): pydantic would take seconds."""
    patients = max(1, -(-events // EVENTS_PER_PATIENT))
    templates = [
        [
            encode_event(_event(run, index, position, step))
            for position, step in enumerate(patient_story(index))
        ]
        for index in range(min(patients, _STORIES))
    ]
    numbers = [_numbers(index) for index in range(patients)]
    produced: list[tuple[bytes, bytes]] = []
    for position in range(EVENTS_PER_PATIENT):
        for index in range(patients):
            if len(produced) == events:
                return produced
            template = index % _STORIES
            value = templates[template][position]
            for old, new in zip(numbers[template], numbers[index], strict=True):
                value = value.replace(old, new)
            produced.append((patient_id(run, index).encode(), value))
    return produced
