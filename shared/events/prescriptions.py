"""`prescription.*` on carecoord.prescriptions.v1: what an EHR or the care-team API publishes."""

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.events.envelope import CloudEvent
from shared.events.registry import type_name

Identifier = Annotated[str, Field(min_length=1, max_length=200)]


class PrescriberRole(StrEnum):
    HEADACHE_SPECIALIST = "headache_specialist"
    PSYCHIATRIST = "psychiatrist"
    PRIMARY_CARE = "primary_care"
    NURSE = "nurse"
    PHARMACIST = "pharmacist"
    EXTERNAL = "external"
    SELF_REPORTED = "self_reported"


class Prescriber(BaseModel):
    id: Identifier
    role: PrescriberRole


class Medication(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=200, description="Generic ingredient name")]
    rxcui: Annotated[str, Field(pattern=r"^[0-9]{1,10}$")] | None = None


class _PrescriptionRef(BaseModel):
    model_config = ConfigDict(extra="ignore")

    prescription_id: Identifier
    patient_id: Identifier
    prescriber: Prescriber
    effective_at: AwareDatetime


class PrescriptionData(_PrescriptionRef):
    """The full current state of a prescription (started or changed)."""

    medication: Medication
    dose: str | None = Field(default=None, max_length=200, examples=["20 mg"])
    route: str | None = Field(default=None, max_length=100, examples=["oral"])
    frequency: str | None = Field(default=None, max_length=200, examples=["once daily"])
    indication: str | None = Field(default=None, max_length=200, examples=["depression"])


class PrescriptionStoppedData(_PrescriptionRef):
    reason: str | None = Field(default=None, max_length=500)


PRESCRIPTION_STARTED = type_name("prescription.started")
PRESCRIPTION_CHANGED = type_name("prescription.changed")
PRESCRIPTION_STOPPED = type_name("prescription.stopped")


class PrescriptionStarted(CloudEvent[PrescriptionData]):
    type: Literal["org.carecoord.prescription.started.v1"] = "org.carecoord.prescription.started.v1"


class PrescriptionChanged(CloudEvent[PrescriptionData]):
    type: Literal["org.carecoord.prescription.changed.v1"] = "org.carecoord.prescription.changed.v1"


class PrescriptionStopped(CloudEvent[PrescriptionStoppedData]):
    type: Literal["org.carecoord.prescription.stopped.v1"] = "org.carecoord.prescription.stopped.v1"


PrescriptionEvent = Annotated[
    PrescriptionStarted | PrescriptionChanged | PrescriptionStopped,
    Field(discriminator="type"),
]
