"""Response models of the care team's views (summary, preventive effects), built from the
clinical core's values. Dates are the patient's local days; counts are raw, with the
documented days beside them (unknown days are never imputed)."""

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from services.diary.domain.clinical.facts import Instrument
from services.diary.domain.clinical.measures import TrendPoint, WindowMeasures
from services.diary.domain.clinical.preventive_effect import (
    DayCountChange,
    EffectStatus,
    PreventiveEffect,
)
from services.diary.domain.clinical.trends import WeekPoint
from services.diary.domain.prescriptions import ChangeKind, MedicationChange
from services.diary.reports import PeriodSummary, StoredAlert
from shared.events.prescriptions import PrescriberRole


class WindowOut(BaseModel):
    first_day: date
    last_day: date
    length_days: int
    documented_days: int = Field(description="Days with any diary entry; the rest are unknown")
    headache_days: int
    migraine_days: int
    acute_medication_days: int
    migraine_specific_medication_days: int
    medication_days_by_class: dict[str, int]
    mean_peak_intensity: float | None = Field(description="1 mild .. 3 severe")
    headache_days_per_28: float = Field(description="Normalised to 28 days (IHS)")
    migraine_days_per_28: float
    attacks_started: int
    treated_attacks: int
    relief_at_2h: int
    pain_free_at_2h: int

    @classmethod
    def of(cls, w: WindowMeasures) -> "WindowOut":
        return cls(
            first_day=w.first_day,
            last_day=w.last_day,
            length_days=w.length_days,
            documented_days=w.documented_days,
            headache_days=w.headache_days,
            migraine_days=w.migraine_days,
            acute_medication_days=w.acute_medication_days,
            migraine_specific_medication_days=w.migraine_specific_medication_days,
            medication_days_by_class={k.value: v for k, v in w.medication_days_by_class.items()},
            mean_peak_intensity=w.mean_peak_intensity,
            headache_days_per_28=round(w.per_28_days(w.headache_days), 2),
            migraine_days_per_28=round(w.per_28_days(w.migraine_days), 2),
            attacks_started=w.attacks_started,
            treated_attacks=w.treated_attacks,
            relief_at_2h=w.relief_at_2h,
            pain_free_at_2h=w.pain_free_at_2h,
        )


class PrescriberOut(BaseModel):
    id: str
    role: PrescriberRole


class MedicationChangeOut(BaseModel):
    event_id: str
    prescription_id: str
    change: ChangeKind
    effective_at: datetime
    medication: str | None = Field(description="None until an event of it names the drug")
    dose: str | None
    frequency: str | None
    indication: str | None
    reason: str | None
    prescriber: PrescriberOut

    @classmethod
    def of(cls, c: MedicationChange) -> "MedicationChangeOut":
        return cls(
            event_id=c.event_id,
            prescription_id=c.prescription_id,
            change=c.kind,
            effective_at=c.effective_at,
            medication=c.medication_name,
            dose=c.dose,
            frequency=c.frequency,
            indication=c.indication,
            reason=c.reason,
            prescriber=PrescriberOut(id=c.prescriber_id, role=c.prescriber_role),
        )


class DayCountChangeOut(BaseModel):
    baseline: int
    weeks_9_to_12: int
    absolute: int
    percent: float | None = Field(description="Of the baseline; None when it had none")
    reduction_at_least_50: bool | None

    @classmethod
    def of(cls, c: DayCountChange | None) -> "DayCountChangeOut | None":
        if c is None:
            return None
        percent = None if c.percent is None else round(c.percent, 1)
        return cls(
            baseline=c.baseline,
            weeks_9_to_12=c.weeks_9_to_12,
            absolute=c.absolute,
            percent=percent,
            reduction_at_least_50=c.reduction_at_least_50,
        )


class PreventiveEffectOut(BaseModel):
    prescription_id: str
    medication: str
    drug_class: str
    source: str = Field(description="Where clinical-kb.md names it a migraine preventive")
    started_on: date
    started_by: PrescriberOut
    dose: str | None
    frequency: str | None
    indication: str | None
    status: EffectStatus
    verdict: str = Field(description="The status in one sentence")
    baseline: WindowOut = Field(description="The 28 days before the start")
    weeks_9_to_12: WindowOut | None = Field(description="Days 57-84; None while pending")
    assessable_from: date
    missing: list[str]
    headache_days: DayCountChangeOut | None
    migraine_days: DayCountChangeOut | None
    responder_50: bool | None = Field(description="≥50% fewer migraine days (IHS responder)")
    reasons: list[MedicationChangeOut] = Field(
        description="Other roles' medication changes from the baseline's start to week 12"
    )
    stopped_on: date | None

    @classmethod
    def of(cls, e: PreventiveEffect) -> "PreventiveEffectOut":
        return cls(
            prescription_id=e.start.prescription_id,
            medication=e.drug.ingredient,
            drug_class=e.drug.drug_class,
            source=e.drug.source,
            started_on=e.started_on,
            started_by=PrescriberOut(id=e.start.prescriber_id, role=e.start.prescriber_role),
            dose=e.start.dose,
            frequency=e.start.frequency,
            indication=e.start.indication,
            status=e.status,
            verdict=verdict(e),
            baseline=WindowOut.of(e.baseline),
            weeks_9_to_12=None if e.weeks_9_to_12 is None else WindowOut.of(e.weeks_9_to_12),
            assessable_from=e.assessable_from,
            missing=list(e.missing),
            headache_days=DayCountChangeOut.of(e.headache_days),
            migraine_days=DayCountChangeOut.of(e.migraine_days),
            responder_50=e.responder_50,
            reasons=[MedicationChangeOut.of(c) for c in e.confounders],
            stopped_on=e.stopped_on,
        )


def verdict(e: PreventiveEffect) -> str:
    if e.status is EffectStatus.PENDING:
        last = e.assessable_from - timedelta(days=1)
        return f"pending: weeks 9-12 end on {last.isoformat()}; the baseline is shown"
    if e.status is EffectStatus.INSUFFICIENT_DATA:
        return "insufficient data: " + "; ".join(e.missing)
    who = sorted({f"{c.prescriber_id} ({c.prescriber_role.value})" for c in e.confounders})
    numbers = "" if e.migraine_days is None else f"; {_describe(e.migraine_days)}"
    if e.status is EffectStatus.NOT_ATTRIBUTABLE:
        return f"not attributable: medication changed by {', '.join(who)} in the window{numbers}"
    return f"attributable{numbers}"


def _describe(c: DayCountChange) -> str:
    percent = "" if c.percent is None else f" ({c.percent:+.0f}%)"
    responder = ", a ≥50% response" if c.reduction_at_least_50 else ""
    return f"migraine days {c.baseline} -> {c.weeks_9_to_12}{percent}{responder}"


class AlertOut(BaseModel):
    alert_id: UUID
    kind: str
    priority: str
    episode_key: str
    evidence: dict[str, Any]
    raised_at: datetime

    @classmethod
    def of(cls, a: StoredAlert) -> "AlertOut":
        return cls(**{f: getattr(a, f) for f in cls.model_fields})


class WeekOut(BaseModel):
    week: str = Field(examples=["2026-W14"])
    first_day: date
    last_day: date
    days: int = Field(description="Days of this ISO week inside the period")
    documented_days: int
    headache_days: int
    migraine_days: int
    acute_medication_days: int
    mean_peak_intensity: float | None
    checkin_days: int
    mean_mood: float | None
    mean_stress: float | None
    mean_sleep_hours: float | None
    mean_sleep_quality: float | None

    @classmethod
    def of(cls, w: WeekPoint) -> "WeekOut":
        return cls(**{f: getattr(w, f) for f in cls.model_fields})


class QuestionnairePointOut(BaseModel):
    questionnaire_id: str
    day: date
    total: int
    band: str

    @classmethod
    def of(cls, p: TrendPoint) -> "QuestionnairePointOut":
        return cls(questionnaire_id=p.questionnaire_id, day=p.day, total=p.total, band=p.band)


class TrendsOut(BaseModel):
    weekly: list[WeekOut] = Field(description="Per ISO week: diary days and check-in means")
    questionnaires: dict[Instrument, list[QuestionnairePointOut]]


class SummaryOut(BaseModel):
    patient_id: str
    time_zone: str
    first_day: date
    last_day: date
    measures: WindowOut
    alerts: list[AlertOut]
    medication_changes: list[MedicationChangeOut]
    preventive_effects: list[PreventiveEffectOut]
    trends: TrendsOut

    @classmethod
    def of(cls, s: PeriodSummary) -> "SummaryOut":
        return cls(
            patient_id=s.patient_id,
            time_zone=s.time_zone,
            first_day=s.first_day,
            last_day=s.last_day,
            measures=WindowOut.of(s.measures),
            alerts=[AlertOut.of(a) for a in s.alerts],
            medication_changes=[MedicationChangeOut.of(c) for c in s.medication_changes],
            preventive_effects=[PreventiveEffectOut.of(e) for e in s.preventive_effects],
            trends=TrendsOut(
                weekly=[WeekOut.of(w) for w in s.weekly],
                questionnaires={
                    k: [QuestionnairePointOut.of(p) for p in v] for k, v in s.questionnaires.items()
                },
            ),
        )


class PreventiveEffectsOut(BaseModel):
    patient_id: str
    as_of: date = Field(description="The patient's today")
    effects: list[PreventiveEffectOut]
