"""The diary's view of prescriptions, projected from carecoord.prescriptions.v1. Pure.

Events of one prescription may arrive out of order: an EHR replays its history, or sends a
stop for a prescription whose start comes later. So the state is recomputed from all of the
prescription's events in effective order (a handful each), never patched event by event:
then no arrival order can leave an older dose in place, and a stop-first prescription gets
its medication name as soon as any event names it (stops need not carry it).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from shared.events.prescriptions import PrescriberRole


class ChangeKind(StrEnum):
    STARTED = "started"
    CHANGED = "changed"
    STOPPED = "stopped"


class PrescriptionStatus(StrEnum):
    ACTIVE = "active"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True, kw_only=True)
class MedicationChange:
    """One prescription event. medication_name None: the event did not say (a stop) and no
    other event of the prescription has said yet."""

    event_id: str
    patient_id: str
    prescription_id: str
    kind: ChangeKind
    effective_at: datetime
    prescriber_id: str
    prescriber_role: PrescriberRole
    medication_name: str | None = None
    rxcui: str | None = None
    dose: str | None = None
    frequency: str | None = None
    route: str | None = None
    indication: str | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.effective_at.tzinfo is None or self.effective_at.utcoffset() is None:
            raise ValueError("effective_at must be timezone-aware")


@dataclass(frozen=True, slots=True, kw_only=True)
class Prescription:
    patient_id: str
    prescription_id: str
    medication_name: str | None
    rxcui: str | None
    dose: str | None
    frequency: str | None
    route: str | None
    indication: str | None
    prescriber_id: str  # of the latest event
    prescriber_role: PrescriberRole
    status: PrescriptionStatus
    last_effective_at: datetime


_ORDER = {ChangeKind.STARTED: 0, ChangeKind.CHANGED: 1, ChangeKind.STOPPED: 2}


def in_effect_order(changes: Iterable[MedicationChange]) -> list[MedicationChange]:
    """By effective_at; at the same instant a start comes before a change before a stop."""
    return sorted(changes, key=lambda c: (c.effective_at, _ORDER[c.kind], c.event_id))


def project(changes: Iterable[MedicationChange]) -> Prescription:
    """The prescription its events describe, the same whatever order they arrived in:
    status and prescriber from the latest event, dose and the other details from the latest
    start or change (they carry the full state; a stop carries none), and the medication
    name from the latest event that gave one."""
    ordered = in_effect_order(changes)
    if not ordered:
        raise ValueError("a prescription needs at least one event")
    latest = ordered[-1]
    detailed = [c for c in ordered if c.kind is not ChangeKind.STOPPED]
    details = detailed[-1] if detailed else latest
    named = [c.medication_name for c in ordered if c.medication_name is not None]
    return Prescription(
        patient_id=latest.patient_id,
        prescription_id=latest.prescription_id,
        medication_name=named[-1] if named else None,
        rxcui=details.rxcui,
        dose=details.dose,
        frequency=details.frequency,
        route=details.route,
        indication=details.indication,
        prescriber_id=latest.prescriber_id,
        prescriber_role=latest.prescriber_role,
        status=PrescriptionStatus.STOPPED
        if latest.kind is ChangeKind.STOPPED
        else PrescriptionStatus.ACTIVE,
        last_effective_at=latest.effective_at,
    )
