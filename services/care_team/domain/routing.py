"""Who hears about what, and how urgently (issue 6 routing). Pure: events and the team in,
routes out.

Each route becomes one notification whose id is derived from the cause (the event id), the
recipient and the kind: the same cause never notifies the same person twice, however often
its event is delivered or replayed.

Priorities follow the conflict tiers (contraindicated urgent, major high, moderate normal,
minor digest only: alert fatigue harms patients too) and the diary's safety rules (PHQ-9 item
9 reaches the psychiatrist urgently; the rest of the team learns only that a safety event
occurred).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from services.care_team.domain.conflicts import DOSE_INCREASED
from shared.events.care_team import (
    ConflictAcknowledgedData,
    ConflictFlaggedData,
    ConflictResolvedData,
)
from shared.events.diary import AlertData
from shared.events.notifications import NotificationPriority as Priority
from shared.events.visits import VisitData

PRESCRIBER_ROLES = frozenset({"headache_specialist", "psychiatrist", "primary_care", "external"})
SEVERITY_PRIORITY = {
    "contraindicated": Priority.URGENT,
    "major": Priority.HIGH,
    "moderate": Priority.NORMAL,
    "minor": Priority.DIGEST,
}
_NAMESPACE = uuid5(NAMESPACE_URL, "https://carecoord.example/notifications")
Team = Mapping[str, str]  # clinician id -> role


@dataclass(frozen=True)
class Route:
    recipient_id: str
    kind: str
    priority: Priority
    title: str
    body: str
    data: Mapping[str, Any] = field(default_factory=dict)


def notification_id(cause_event_id: str, recipient_id: str, kind: str) -> UUID:
    return uuid5(_NAMESPACE, f"{cause_event_id}|{recipient_id}|{kind}")


def prescribers(team: Team) -> list[str]:
    return sorted(c for c, role in team.items() if role in PRESCRIBER_ROLES)


def with_role(team: Team, role: str) -> list[str]:
    return sorted(c for c, r in team.items() if r == role)


def _to(
    recipients: Iterable[str],
    kind: str,
    priority: Priority,
    title: str,
    body: str,
    data: Mapping[str, Any],
) -> list[Route]:
    """The same message to each recipient (once each, in id order)."""
    return [Route(r, kind, priority, title, body, data) for r in sorted(set(recipients))]


def medication_changed(
    team: Team, *, changer_id: str, change: str, medication: str | None, dose: str | None
) -> list[Route]:
    """A colleague's change: the other prescribers on the team."""
    what = " ".join(x for x in (medication or "a medication", dose) if x)
    title = f"{change.capitalize()}: {what}"
    body = f"{changer_id} {change} {what}."
    data = {"changed_by": changer_id, "change": change}
    others = (c for c in prescribers(team) if c != changer_id)
    return _to(others, "medication_changed", Priority.NORMAL, title, body, data)


def _one_step_down(priority: Priority) -> Priority:
    """Urgent stays urgent: a contraindicated combination is never played down."""
    return {Priority.HIGH: Priority.NORMAL, Priority.NORMAL: Priority.DIGEST}.get(
        priority, priority
    )


def conflict_flagged(team: Team, conflict: ConflictFlaggedData) -> list[Route]:
    """Every prescriber of an implicated drug and the other prescribers on the team, except
    the clinician whose change raised it when our API showed it to them (a change from an
    EHR, which showed them nothing of ours, tells them too).

    A conflict raised again only because a dose went up is one the team already knows, and
    the dose change itself reaches them as `medication_changed`: it comes one step quieter.
    A higher tier, a dose taken inside a time window or another interacting drug is news."""
    priority = SEVERITY_PRIORITY[conflict.severity.value]
    if conflict.reflagged and conflict.reflag_reason == DOSE_INCREASED:
        priority = _one_step_down(priority)
    drugs = " + ".join(conflict.medications)
    again = " (again)" if conflict.reflagged else ""
    kind = conflict.kind.replace("_", " ")
    title = f"{conflict.severity.value.capitalize()} {kind} conflict{again}: {drugs}"
    data = {"conflict_id": str(conflict.conflict_id), "rule_id": conflict.rule_id,
            "severity": conflict.severity.value}  # fmt: skip
    recipients = set(conflict.prescribers) | set(prescribers(team))
    if conflict.shown_to_changer:
        recipients.discard(conflict.changed_by or "")
    return _to(recipients, "conflict_flagged", priority, title, conflict.summary, data)


def conflict_acknowledged(conflict: ConflictAcknowledgedData) -> list[Route]:
    drugs = " + ".join(conflict.medications)
    title = f"Conflict acknowledged: {drugs}"
    body = f"{conflict.acknowledged_by} acknowledged it ({conflict.reason.value})" + (
        f": {conflict.note}" if conflict.note else "."
    )
    data = {"conflict_id": str(conflict.conflict_id), "acknowledged_by": conflict.acknowledged_by}
    others = (p for p in conflict.prescribers if p != conflict.acknowledged_by)
    return _to(others, "conflict_acknowledged", _settled(conflict.severity.value), title, body,
               data)  # fmt: skip


def conflict_resolved(conflict: ConflictResolvedData) -> list[Route]:
    drugs = " + ".join(conflict.medications)
    title = f"Conflict resolved: {drugs}"
    body = f"Resolved: {conflict.reason.value.replace('_', ' ')}."
    data = {"conflict_id": str(conflict.conflict_id), "reason": conflict.reason.value}
    priority = _settled(conflict.severity.value)
    return _to(conflict.prescribers, "conflict_resolved", priority, title, body, data)


def _settled(severity: str) -> Priority:
    """An acknowledgement or resolution: news at normal priority, but a minor conflict's
    (never pushed when raised) goes to the digest as well."""
    return Priority.DIGEST if severity == "minor" else Priority.NORMAL


def diary_alert(team: Team, alert: AlertData) -> list[Route]:
    if alert.kind == "phq9_item9":
        return _safety(team, alert)
    if alert.kind in ("medication_overuse", "medication_overuse_warning"):
        scope = alert.evidence.get("scope", "acute medication")
        flag = alert.kind == "medication_overuse"
        title = f"Medication overuse {'risk' if flag else 'warning'}: {scope}"
        body = _overuse_body(alert.evidence)
        priority = Priority.HIGH if flag else Priority.NORMAL
        kind = "medication_overuse"
        owners = with_role(team, "headache_specialist") or with_role(team, "primary_care")
    elif alert.kind == "phq9_worsening":
        title, body, priority, kind = "PHQ-9 worsening", _evidence_body(alert), Priority.HIGH, \
            "phq9_worsening"  # fmt: skip
        owners = with_role(team, "psychiatrist") or with_role(team, "primary_care")
    elif alert.kind == "headache_days_rising":
        title, body, kind = "Headache days rising since the last visit", _evidence_body(alert), \
            "headache_days_rising"  # fmt: skip
        priority = Priority.NORMAL
        owners = with_role(team, "headache_specialist") or with_role(team, "primary_care")
    else:
        return []
    data = {"alert_id": str(alert.alert_id), "alert_kind": alert.kind}
    return _to(owners, kind, priority, title, body, data)


def _safety(team: Team, alert: AlertData) -> list[Route]:
    """PHQ-9 item 9 above zero: the psychiatrist urgently (else primary care, else every
    clinician on the team); everyone else only that a safety event occurred."""
    clinicians = sorted(team)
    owners = with_role(team, "psychiatrist") or with_role(team, "primary_care") or clinicians
    data = {"alert_id": str(alert.alert_id), "alert_kind": alert.kind}
    urgent = _to(
        owners, "safety_alert", Priority.URGENT, "PHQ-9 item 9 answered above zero",
        "Self-harm thoughts reported on the PHQ-9 (item 9): review the patient today.",
        {**data, "evidence": dict(alert.evidence)},
    )  # fmt: skip
    reviewing = f"A safety event was reported; {', '.join(owners)} is reviewing it."
    others = (c for c in clinicians if c not in owners)
    told = _to(others, "safety_event", Priority.NORMAL, "Safety event", reviewing, data)
    return urgent + told


def visit_changed(event_type: str, visit: VisitData, actor: str | None = None) -> list[Route]:
    """Joint reviews and visit changes: the clinicians taking part (not who made the change)."""
    short = event_type.removeprefix("org.carecoord.").removesuffix(".v1")
    if short in ("visit.completed", "visit.reminder_due"):
        return []  # recorded by the clinician themself; a reminder is for the patient's app
    joint = short == "joint_review.proposed"
    kind = "joint_review_proposed" if joint else "visit_changed"
    verb = short.split(".")[-1].replace("_", " ")
    title = "Joint review proposed" if joint else f"Visit {verb}"
    body = f"{visit.type.value.replace('_', ' ').capitalize()} {visit.starts_at.isoformat()}."
    data = {"visit_id": str(visit.visit_id), "event": short,
            "starts_at": visit.starts_at.isoformat()}  # fmt: skip
    priority = Priority.HIGH if joint else Priority.NORMAL
    others = (c for c in visit.clinician_ids if c != actor)
    return _to(others, kind, priority, title, body, data)


def _overuse_body(evidence: Mapping[str, Any]) -> str:
    months = evidence.get("months") or []
    current = months[0] if months else {}
    return (
        f"{current.get('days_counted', '?')} days in the last 30 with "
        f"{evidence.get('scope', 'acute medication')} (threshold "
        f"{evidence.get('threshold_days', '?')}, ICHD-3 {evidence.get('ichd_code', '8.2')})."
    )


def _evidence_body(alert: AlertData) -> str:
    shown = {k: v for k, v in alert.evidence.items() if not isinstance(v, dict | list)}
    return "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in shown.items()) or alert.kind
