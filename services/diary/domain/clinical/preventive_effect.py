"""Did a migraine preventive help? Headache and migraine days in the 4 weeks before it started
against weeks 9-12 after, judged only when the diary covers both windows and nobody of another
specialty changed the medication in between.

The IHS guideline for preventive trials in episodic migraine (clinical-kb §3.3, S72): "a
prospective baseline (about 4 weeks) and a treatment phase of ≥12 weeks. Primary: change from
baseline in monthly migraine days (MMD). Secondary: ≥50% responder rate; ... monthly headache
days". The KB does not say which treatment weeks to read; we read the phase's last 4 weeks
(weeks 9-12), the 28 days many trials report "at the 12-week timepoint" (VERIFY against S72):
earlier weeks still hold the titration and the slow onset of oral preventives. Windows are
local days in the patient's zone (days.py), day 0 the start day (week 1's first day):

* baseline: days -28..-1; weeks 9-12: days 56..83. Both are 28 days, the guideline's month
  (KB §3.3 "normalise to 28 days"), so raw counts compare directly; unknown days are never
  imputed (measures.py) and both coverages are reported.

Status, in this order:
* pending: week 12 has not ended yet (the baseline is shown already);
* not_attributable: a prescriber of another role than the one who started the preventive
  (self-reported products aside: they are the patient's, not a specialty's) started, changed
  or stopped any drug from the first baseline day to the last day of week 12: the change in
  headache days may be theirs (an SSRI change moves mood and headache alike). The changes are
  the reasons. Changes by the starter's own role are the same plan and do not count;
* insufficient_data: either window has fewer than MIN_DOCUMENTED_DAYS documented days;
* attributable.

A ≥50% fall in migraine days is the responder threshold (KB §3.3, S72 "≥50% responder rate";
S73 also names 30% for chronic migraine, marked VERIFY in the KB, so 50% is used).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from services.diary.domain.clinical.days import DiaryDays
from services.diary.domain.clinical.measures import WindowMeasures, measures_between
from services.diary.domain.prescriptions import ChangeKind, MedicationChange
from shared.clinical.preventive_drugs import PreventiveDrug, preventive_of
from shared.events.prescriptions import PrescriberRole

BASELINE_DAYS = 28
WEEKS_9_TO_12 = (56, 83)  # day offsets from the start day (day 0 is week 1's first day)
# Documented days needed in each 28-day window: 80% (23 of 28). Preventive trials ask for
# about that diary completion before they count a baseline (e.g. "completes 80% of diary
# recordings", NCT03706794); below it, the unknown days (never imputed) could hold enough
# headache days to fake or hide a 50% response.
MIN_DOCUMENTED_DAYS = 23
RESPONDER_REDUCTION = 0.5  # KB §3.3 (S72): ≥50% fewer migraine days than baseline


class EffectStatus(StrEnum):
    PENDING = "pending"
    INSUFFICIENT_DATA = "insufficient_data"
    ATTRIBUTABLE = "attributable"
    NOT_ATTRIBUTABLE = "not_attributable"


@dataclass(frozen=True, slots=True, kw_only=True)
class DayCountChange:
    baseline: int
    weeks_9_to_12: int

    @property
    def absolute(self) -> int:
        return self.weeks_9_to_12 - self.baseline

    @property
    def percent(self) -> float | None:
        """Change as a percentage of the baseline; None when the baseline had none."""
        if self.baseline == 0:
            return None
        return 100 * self.absolute / self.baseline

    @property
    def reduction_at_least_50(self) -> bool | None:
        if self.baseline == 0:
            return None
        return -self.absolute >= RESPONDER_REDUCTION * self.baseline


@dataclass(frozen=True, slots=True, kw_only=True)
class PreventiveEffect:
    start: MedicationChange  # the prescription.started event
    drug: PreventiveDrug
    started_on: date  # local day of effective_at
    baseline: WindowMeasures
    weeks_9_to_12: WindowMeasures | None  # None while pending
    assessable_from: date  # the day after week 12
    status: EffectStatus
    missing: tuple[str, ...]  # why the data are insufficient, in words
    headache_days: DayCountChange | None  # None unless both windows are over and documented
    migraine_days: DayCountChange | None
    confounders: tuple[MedicationChange, ...]  # other roles' changes in the window
    stopped_on: date | None  # the preventive's own stop, if any (shown, not judged)

    @property
    def span(self) -> tuple[date, date]:
        """From the first baseline day to the last day of week 12."""
        return self.baseline.first_day, self.assessable_from - timedelta(days=1)

    @property
    def responder_50(self) -> bool | None:
        """The IHS responder: ≥50% fewer migraine days than at baseline (KB §3.3)."""
        return None if self.migraine_days is None else self.migraine_days.reduction_at_least_50


def preventive_effects(
    days: DiaryDays,
    changes: Iterable[MedicationChange],
    *,
    min_documented_days: int = MIN_DOCUMENTED_DAYS,
) -> tuple[PreventiveEffect, ...]:
    """One effect per preventive started (the earliest start event of each prescription),
    oldest first. `changes` are all the patient's changes, names filled in where known."""
    ordered = sorted(changes, key=lambda c: (c.effective_at, c.event_id))
    first_starts: dict[str, MedicationChange] = {}
    for change in ordered:
        if change.kind is ChangeKind.STARTED:
            first_starts.setdefault(change.prescription_id, change)
    effects = []
    for start in first_starts.values():
        drug = preventive_of(start.medication_name, start.frequency)
        if drug is not None:
            effects.append(_effect(days, start, drug, ordered, min_documented_days))
    return tuple(effects)


def _effect(
    days: DiaryDays,
    start: MedicationChange,
    drug: PreventiveDrug,
    changes: list[MedicationChange],
    min_documented: int,
) -> PreventiveEffect:
    zone = days.zone
    started_on = start.effective_at.astimezone(zone).date()
    first_baseline = started_on - timedelta(days=BASELINE_DAYS)
    first_after, last_after = (started_on + timedelta(days=d) for d in WEEKS_9_TO_12)
    baseline = measures_between(days, first_baseline, started_on - timedelta(days=1))
    over = days.through > last_after  # week 12's last day must be complete, not under way

    confounders = tuple(
        c
        for c in changes
        if c.event_id != start.event_id
        and _other_role(c.prescriber_role, start.prescriber_role)
        and first_baseline <= c.effective_at.astimezone(zone).date() <= last_after
    )
    stops = [
        c.effective_at.astimezone(zone).date()
        for c in changes
        if c.prescription_id == start.prescription_id
        and c.kind is ChangeKind.STOPPED
        and c.effective_at >= start.effective_at
    ]
    after = measures_between(days, first_after, last_after) if over else None
    missing = _missing(baseline, after, min_documented)
    complete = after is not None and not missing
    if not over:
        status = EffectStatus.PENDING
    elif confounders:
        status = EffectStatus.NOT_ATTRIBUTABLE
    elif missing:
        status = EffectStatus.INSUFFICIENT_DATA
    else:
        status = EffectStatus.ATTRIBUTABLE
    return PreventiveEffect(
        start=start,
        drug=drug,
        started_on=started_on,
        baseline=baseline,
        weeks_9_to_12=after,
        assessable_from=last_after + timedelta(days=1),
        status=status,
        missing=missing,
        headache_days=_change(baseline, after, "headache_days") if complete else None,
        migraine_days=_change(baseline, after, "migraine_days") if complete else None,
        confounders=confounders,
        stopped_on=min(stops, default=None),
    )


def _change(
    baseline: WindowMeasures, after: WindowMeasures | None, count: str
) -> DayCountChange | None:
    if after is None:
        return None
    return DayCountChange(baseline=getattr(baseline, count), weeks_9_to_12=getattr(after, count))


def _other_role(role: PrescriberRole, starter: PrescriberRole) -> bool:
    return role is not PrescriberRole.SELF_REPORTED and role is not starter


def _missing(
    baseline: WindowMeasures, after: WindowMeasures | None, min_documented: int
) -> tuple[str, ...]:
    out = []
    for label, window in (("baseline", baseline), ("weeks 9-12", after)):
        if window is not None and window.documented_days < min_documented:
            out.append(
                f"{label}: {window.documented_days} of {window.length_days} days documented;"
                f" {min_documented} needed"
            )
    return tuple(out)
