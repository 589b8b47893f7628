"""The conflict lifecycle, pure: compare what the engine sees now with the open conflicts.

A conflict is flagged once per key (rule + ingredients), re-flagged only on a
material change (higher tier, a dose increase, another interacting drug, a new dose
taken inside a time window), and
resolved when the engine no longer sees it (a drug stopped and its washout ended).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from services.care_team.domain.engine.model import Finding, IntakeDays, Severity
from shared.events.care_team import ResolutionReason


@dataclass(frozen=True)
class OpenConflict:
    conflict_id: UUID
    key: str
    rule_id: str
    severity: Severity
    medications: tuple[str, ...]
    prescription_ids: tuple[str, ...]
    prescribers: tuple[str, ...]
    daily_doses_mg: Mapping[str, float | None] = field(default_factory=dict)
    lapses_at: datetime | None = None
    window_violated_at: datetime | None = None  # the dose inside a time window, if any
    intake_days: tuple[IntakeDays, ...] = ()


@dataclass(frozen=True)
class Reflag:
    conflict: OpenConflict
    finding: Finding
    reason: str


@dataclass(frozen=True)
class Resolution:
    conflict: OpenConflict
    reason: ResolutionReason


@dataclass(frozen=True)
class ConflictDiff:
    flagged: list[Finding] = field(default_factory=list)
    reflagged: list[Reflag] = field(default_factory=list)
    # Still open, details refreshed silently (e.g. a lower dose, a new lapse time).
    refreshed: list[tuple[OpenConflict, Finding]] = field(default_factory=list)
    resolved: list[Resolution] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.flagged or self.reflagged or self.resolved)


DOSE_INCREASED = "a dose was increased"  # a reflag reason; notification routing reads it


def material_change(conflict: OpenConflict, finding: Finding) -> str | None:
    """Why an open conflict must be raised again, or None when nothing material changed."""
    if finding.severity.rank > conflict.severity.rank:
        return f"severity rose from {conflict.severity.value} to {finding.severity.value}"
    for prescription_id, mg in finding.daily_doses_mg:
        before = conflict.daily_doses_mg.get(prescription_id)
        if mg is not None and before is not None and mg > before:
            return DOSE_INCREASED
    if len(finding.medications) > len(conflict.medications):
        return "another interacting medication was added"
    violation = finding.violation
    if violation is not None and (
        conflict.window_violated_at is None or violation.then_at > conflict.window_violated_at
    ):
        return f"{violation.then} was taken inside the time window"
    return None


def resolution_reason(
    conflict: OpenConflict, *, stopped_prescription_ids: set[str], now: datetime
) -> ResolutionReason:
    if conflict.lapses_at is not None and now >= conflict.lapses_at:
        return ResolutionReason.WASHOUT_ENDED
    if stopped_prescription_ids.intersection(conflict.prescription_ids):
        return ResolutionReason.MEDICATION_STOPPED
    return ResolutionReason.NO_LONGER_APPLIES


def diff_conflicts(
    open_conflicts: Sequence[OpenConflict],
    findings: Sequence[Finding],
    *,
    stopped_prescription_ids: set[str],
    now: datetime,
) -> ConflictDiff:
    diff = ConflictDiff()
    open_by_key = {c.key: c for c in open_conflicts}
    seen: set[str] = set()
    for finding in findings:
        seen.add(finding.key)
        conflict = open_by_key.get(finding.key)
        if conflict is None:
            diff.flagged.append(finding)
        elif reason := material_change(conflict, finding):
            diff.reflagged.append(Reflag(conflict, finding, reason))
        else:
            diff.refreshed.append((conflict, finding))
    # In key order: the store returns open conflicts in no particular order.
    for conflict in sorted(open_conflicts, key=lambda c: c.key):
        if conflict.key not in seen:
            reason = resolution_reason(
                conflict, stopped_prescription_ids=stopped_prescription_ids, now=now
            )
            diff.resolved.append(Resolution(conflict, reason))
    return diff
