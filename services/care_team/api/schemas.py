"""Request and response bodies of the care-team API."""

from datetime import date, datetime
from typing import Any, Literal, Self
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from services.care_team.domain.engine.model import Finding
from services.care_team.domain.prescriptions import Prescription
from shared.events.care_team import (
    AcknowledgementReason,
    EvidenceRef,
    IntakeDaysRef,
    TeamRole,
    WindowViolationRef,
)
from shared.events.prescriptions import Medication

Text = Field(default=None, max_length=200)


class MemberIn(BaseModel):
    clinician_id: str = Field(min_length=1, max_length=200)
    role: TeamRole


class MemberOut(BaseModel):
    clinician_id: str
    role: TeamRole
    source: str
    added_at: datetime


class CareTeamOut(BaseModel):
    patient_id: str
    members: list[MemberOut]


class ProfileIn(BaseModel):
    birth_date: date | None = None
    sex: Literal["female", "male", "other"] | None = None
    pregnant: bool | None = None
    childbearing_potential: bool | None = Field(
        default=None, description="Omit to derive it from sex and age"
    )
    effective_contraception: bool | None = None
    conditions: list[str] = Field(
        default_factory=list, max_length=50, description="Condition codes the rules know"
    )


class ProfileOut(ProfileIn):
    patient_id: str


class MedicationOut(BaseModel):
    prescription_id: str
    medication: str | None = Field(description="The name as prescribed")
    ingredient: str | None
    recognised: bool = Field(description="False: not in the drug knowledge base; check it")
    rxcui: str | None
    dose: str | None
    route: str | None
    frequency: str | None
    indication: str | None
    prescriber_id: str
    prescriber_role: str
    status: str
    started_at: datetime | None
    stopped_at: datetime | None
    updated_at: datetime
    washout_until: datetime | None = None

    @classmethod
    def of(cls, p: Prescription, washout_until: datetime | None = None) -> "MedicationOut":
        return cls(
            prescription_id=p.prescription_id,
            medication=p.medication_name,
            ingredient=p.ingredient,
            recognised=p.recognised,
            rxcui=p.rxcui,
            dose=p.dose,
            route=p.route,
            frequency=p.frequency,
            indication=p.indication,
            prescriber_id=p.prescriber_id,
            prescriber_role=p.prescriber_role,
            status=p.status.value,
            started_at=p.started_at,
            stopped_at=p.stopped_at,
            updated_at=p.updated_at,
            washout_until=washout_until,
        )


class MedicationListOut(BaseModel):
    patient_id: str
    medications: list[MedicationOut] = Field(description="Active, from every prescriber")
    in_washout: list[MedicationOut] = Field(
        description="Stopped, but still counted for interactions until washout_until"
    )


class MedicationChange(BaseModel):
    seq: int
    event_id: str
    event_type: str
    patient_id: str
    prescription_id: str
    prescriber_id: str
    effective_at: datetime
    applied_at: datetime
    data: dict[str, Any]


class PrescriptionStartIn(BaseModel):
    prescription_id: str | None = Field(
        default=None, min_length=1, max_length=200, description="Optional; generated if absent"
    )
    medication: Medication
    dose: str | None = Text
    route: str | None = Field(default=None, max_length=100)
    frequency: str | None = Text
    indication: str | None = Text
    effective_at: AwareDatetime | None = None


class PrescriptionChangeIn(BaseModel):
    dose: str | None = Text
    route: str | None = Field(default=None, max_length=100)
    frequency: str | None = Text
    indication: str | None = Text
    effective_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _something_changes(self) -> Self:
        if not self.model_fields_set - {"effective_at"}:
            raise ValueError("change at least one of dose, route, frequency, indication")
        return self


class PrescriptionStopIn(BaseModel):
    reason: str | None = Field(default=None, max_length=500)
    effective_at: AwareDatetime | None = None


class FindingOut(BaseModel):
    rule_id: str
    kind: str
    severity: str
    interruptive: bool
    medications: list[str]
    prescription_ids: list[str]
    prescribers: list[str]
    summary: str
    recommendation: str
    evidence: list[EvidenceRef]
    lapses_at: datetime | None = None

    @classmethod
    def of(cls, f: Finding) -> "FindingOut":
        return cls(
            rule_id=f.rule_id,
            kind=f.kind.value,
            severity=f.severity.value,
            interruptive=f.severity.interruptive,
            medications=list(f.medications),
            prescription_ids=list(f.prescription_ids),
            prescribers=list(f.prescribers),
            summary=f.summary,
            recommendation=f.recommendation,
            evidence=[EvidenceRef(source=e.source, url=e.url) for e in f.evidence],
            lapses_at=f.lapses_at,
        )


class ChangeResultOut(BaseModel):
    prescription: MedicationOut
    alerts: list[FindingOut] = Field(
        description="Contraindicated/major conflicts this change raised: show them to the "
        "prescriber"
    )
    flagged: list[FindingOut] = Field(
        description="Every conflict this change raised or raised again"
    )
    resolved_conflicts: list[UUID]


class AcknowledgementIn(BaseModel):
    reason: AcknowledgementReason
    note: str | None = Field(default=None, max_length=1000)

    @model_validator(mode="after")
    def _other_needs_a_note(self) -> Self:
        if self.reason is AcknowledgementReason.OTHER and not (self.note and self.note.strip()):
            raise ValueError("note: a reason of 'other' needs a note")
        return self


class AcknowledgementOut(BaseModel):
    clinician_id: str
    reason: str
    note: str | None
    acknowledged_at: datetime


class ConflictOut(BaseModel):
    conflict_id: UUID
    rule_id: str
    kind: str
    severity: str
    interruptive: bool
    status: str
    medications: list[str]
    prescription_ids: list[str]
    prescribers: list[str]
    summary: str
    recommendation: str
    evidence: list[EvidenceRef]
    knowledge_version: str
    flagged_at: datetime
    last_flagged_at: datetime
    lapses_at: datetime | None
    window_violation: WindowViolationRef | None = Field(
        description="A dose the diary shows taken inside the rule's time window"
    )
    intake_days: list[IntakeDaysRef] = Field(
        description="On how many days the diary shows each of the conflict's drugs taken"
    )
    resolved_at: datetime | None
    resolution_reason: str | None
    acknowledgements: list[AcknowledgementOut]


class MedicationCheckIn(BaseModel):
    medication: Medication
    dose: str | None = Text
    route: str | None = Field(default=None, max_length=100)
    frequency: str | None = Text
    indication: str | None = Text


class Card(BaseModel):
    """A CDS Hooks card (https://cds-hooks.hl7.org/): what a prescribing UI shows."""

    summary: str
    detail: str
    indicator: Literal["info", "warning", "critical"]
    source: dict[str, str]


class MedicationCheckOut(BaseModel):
    medication: str
    recognised: bool
    findings: list[FindingOut]
    cards: list[Card]
