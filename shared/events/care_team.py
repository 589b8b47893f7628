"""`care_team.*` and `medication_conflict.*` on carecoord.care_team.v1, published by care_team."""

from enum import StrEnum
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from shared.events.envelope import CloudEvent
from shared.events.registry import type_name

MEMBER_ADDED = type_name("care_team.member_added")
MEMBER_REMOVED = type_name("care_team.member_removed")
CONFLICT_FLAGGED = type_name("medication_conflict.flagged")
CONFLICT_ACKNOWLEDGED = type_name("medication_conflict.acknowledged")
CONFLICT_RESOLVED = type_name("medication_conflict.resolved")


class TeamRole(StrEnum):
    HEADACHE_SPECIALIST = "headache_specialist"
    PSYCHIATRIST = "psychiatrist"
    PRIMARY_CARE = "primary_care"
    NURSE = "nurse"
    PHARMACIST = "pharmacist"
    EXTERNAL = "external"  # a prescriber known only from an EHR's prescription events


class MemberData(BaseModel):
    patient_id: str
    clinician_id: str
    role: TeamRole
    changed_by: str = Field(description="Who added or removed the member (a subject id)")
    source: Literal["api", "prescription"] = "api"
    effective_at: AwareDatetime


class MemberAdded(CloudEvent[MemberData]):
    type: Literal["org.carecoord.care_team.member_added.v1"] = (
        "org.carecoord.care_team.member_added.v1"
    )


class MemberRemoved(CloudEvent[MemberData]):
    type: Literal["org.carecoord.care_team.member_removed.v1"] = (
        "org.carecoord.care_team.member_removed.v1"
    )


class EvidenceRef(BaseModel):
    source: str
    url: str | None = None


class ConflictSeverity(StrEnum):
    CONTRAINDICATED = "contraindicated"
    MAJOR = "major"
    MODERATE = "moderate"
    MINOR = "minor"


class WindowViolationRef(BaseModel):
    """A dose taken inside a rule's time window (from the diary's intake times)."""

    first: str = Field(description="The drug taken (or on the list) first")
    first_at: AwareDatetime | None = Field(
        description="When it was taken, or its prescription started (None: not known)"
    )
    then: str = Field(description="The drug taken inside the window")
    then_at: AwareDatetime
    within_hours: float = Field(description="The rule's minimum gap")


class IntakeDaysRef(BaseModel):
    """How often the diary shows one of the conflict's drugs taken lately."""

    medication: str
    days: int = Field(description="Distinct days (the patient's local days) with a dose")
    over_days: int = Field(description="The span counted, ending at the evaluation")
    last_taken_at: AwareDatetime


class ConflictFlaggedData(BaseModel):
    conflict_id: UUID
    patient_id: str
    kind: str = Field(description="serotonin_toxicity | pharmacokinetic | contraindicated | ...")
    severity: ConflictSeverity
    medications: list[str]
    prescription_ids: list[str]
    prescribers: list[str]
    summary: str
    recommendation: str
    evidence: list[EvidenceRef]
    rule_id: str = Field(description="The knowledge-base rule, e.g. SER-03")
    knowledge_version: str
    interruptive: bool = Field(description="True for contraindicated/major: interrupt the changer")
    changed_by: str | None = Field(
        default=None, description="The clinician whose change raised it; None for re-evaluations"
    )
    shown_to_changer: bool = Field(
        default=False,
        description="The changer saw it in the care-team API's answer to their change; False "
        "when the change came from an EHR (or a profile change): then they are told too",
    )
    reflagged: bool = Field(
        default=False, description="A material change re-raised an open conflict"
    )
    reflag_reason: str | None = None
    lapses_at: AwareDatetime | None = Field(
        default=None, description="When a stopped drug's washout ends and the conflict lapses"
    )
    window_violation: WindowViolationRef | None = Field(
        default=None, description="The dose taken inside a time window, when one was"
    )
    intake_days: list[IntakeDaysRef] = Field(
        default_factory=list, description="Diary doses of the conflict's drugs, per drug"
    )
    flagged_at: AwareDatetime


class AcknowledgementReason(StrEnum):
    MONITOR = "monitor"
    DOSE_ADJUSTED = "dose_adjusted"
    BENEFIT_OUTWEIGHS_RISK = "benefit_outweighs_risk"
    OTHER = "other"


class ConflictAcknowledgedData(BaseModel):
    conflict_id: UUID
    patient_id: str
    rule_id: str
    severity: ConflictSeverity
    medications: list[str]
    prescribers: list[str]
    acknowledged_by: str
    reason: AcknowledgementReason
    note: str | None = None
    acknowledged_at: AwareDatetime


class ResolutionReason(StrEnum):
    MEDICATION_STOPPED = "medication_stopped"
    WASHOUT_ENDED = "washout_ended"
    NO_LONGER_APPLIES = "no_longer_applies"


class ConflictResolvedData(BaseModel):
    conflict_id: UUID
    patient_id: str
    rule_id: str
    severity: ConflictSeverity
    medications: list[str]
    prescribers: list[str]
    reason: ResolutionReason
    resolved_at: AwareDatetime


class ConflictFlagged(CloudEvent[ConflictFlaggedData]):
    type: Literal["org.carecoord.medication_conflict.flagged.v1"] = (
        "org.carecoord.medication_conflict.flagged.v1"
    )


class ConflictAcknowledged(CloudEvent[ConflictAcknowledgedData]):
    type: Literal["org.carecoord.medication_conflict.acknowledged.v1"] = (
        "org.carecoord.medication_conflict.acknowledged.v1"
    )


class ConflictResolved(CloudEvent[ConflictResolvedData]):
    type: Literal["org.carecoord.medication_conflict.resolved.v1"] = (
        "org.carecoord.medication_conflict.resolved.v1"
    )
