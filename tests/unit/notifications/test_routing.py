"""Who hears about what, and how urgently: the pure routing of events to notifications."""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from services.care_team.domain import routing
from shared.events.care_team import (
    AcknowledgementReason,
    ConflictAcknowledgedData,
    ConflictFlaggedData,
    ConflictResolvedData,
    ConflictSeverity,
    ResolutionReason,
)
from shared.events.diary import AlertData, AlertPriority
from shared.events.notifications import NotificationPriority as Priority
from shared.events.visits import Modality, VisitData, VisitStatus, VisitType

NEU, PSY, GP, NURSE = "dr-neu", "dr-psy", "dr-gp", "rn-nurse"
AT = datetime(2026, 11, 25, 9, tzinfo=UTC)
TEAM = {NEU: "headache_specialist", PSY: "psychiatrist", GP: "primary_care", NURSE: "nurse"}


def recipients(routes: list[routing.Route]) -> dict[str, tuple[str, Priority]]:
    assert len({r.recipient_id for r in routes}) == len(routes), "one route per recipient"
    return {r.recipient_id: (r.kind, r.priority) for r in routes}


def flagged(severity: str, *, prescribers: list[str], changed_by: str | None) -> Any:
    return ConflictFlaggedData(
        conflict_id=uuid4(), patient_id="p-1", kind="pharmacokinetic",
        severity=ConflictSeverity(severity), medications=["amitriptyline", "fluoxetine"],
        prescription_ids=["rx-1", "rx-2"], prescribers=prescribers, summary="levels rise",
        recommendation="monitor", evidence=[], rule_id="PK-34", knowledge_version="v",
        interruptive=severity in ("contraindicated", "major"), changed_by=changed_by,
        shown_to_changer=changed_by is not None, flagged_at=AT,
    )  # fmt: skip


def alert(kind: str, evidence: dict[str, Any] | None = None) -> AlertData:
    priority = AlertPriority.HIGH if kind == "phq9_item9" else AlertPriority.NORMAL
    return AlertData(
        alert_id=uuid4(), patient_id="p-1", kind=kind, priority=priority,
        episode_key=f"{kind}:1", evidence=evidence or {}, raised_at=AT,
    )  # fmt: skip


def test_a_medication_change_reaches_the_other_prescribers_only() -> None:
    routes = routing.medication_changed(
        TEAM, changer_id=NEU, change="started", medication="amitriptyline", dose="10 mg"
    )
    assert recipients(routes) == {
        PSY: ("medication_changed", Priority.NORMAL),
        GP: ("medication_changed", Priority.NORMAL),
    }  # not the changer, not the nurse (who does not prescribe)
    assert routes[0].title == "Started: amitriptyline 10 mg"


def test_a_patients_own_product_reaches_every_prescriber() -> None:
    routes = routing.medication_changed(
        TEAM, changer_id="p-1", change="started", medication="st johns wort", dose=None
    )
    assert set(recipients(routes)) == {NEU, PSY, GP}


@pytest.mark.parametrize(
    ("severity", "priority"),
    [
        ("contraindicated", Priority.URGENT),
        ("major", Priority.HIGH),
        ("moderate", Priority.NORMAL),
        ("minor", Priority.DIGEST),
    ],
)
def test_conflict_priority_follows_the_tier(severity: str, priority: Priority) -> None:
    routes = routing.conflict_flagged(
        TEAM, flagged(severity, prescribers=[NEU, PSY], changed_by=PSY)
    )
    assert recipients(routes) == {
        NEU: ("conflict_flagged", priority),
        GP: ("conflict_flagged", priority),
    }  # the changer saw it on the prescribing screen
    assert priority.pushed == (severity != "minor")  # minor: never pushed


@pytest.mark.parametrize(
    ("severity", "reason", "priority"),
    [
        ("major", "a dose was increased", Priority.NORMAL),  # known; the dose change is told
        ("moderate", "a dose was increased", Priority.DIGEST),
        ("contraindicated", "a dose was increased", Priority.URGENT),  # never played down
        ("major", "severity rose from moderate to major", Priority.HIGH),
        ("major", "another interacting medication was added", Priority.HIGH),
    ],
)
def test_a_conflict_raised_again_for_a_dose_alone_comes_quieter(
    severity: str, reason: str, priority: Priority
) -> None:
    again = flagged(severity, prescribers=[NEU, PSY], changed_by=NEU).model_copy(
        update={"reflagged": True, "reflag_reason": reason}
    )
    routes = routing.conflict_flagged(TEAM, again)
    assert {r.priority for r in routes} == {priority}
    assert "(again)" in routes[0].title


def test_a_change_from_an_ehr_tells_its_prescriber_too() -> None:
    """Our API answered the change with its conflicts; an EHR's prescriber saw none of them."""
    from_ehr = flagged("major", prescribers=[NEU, PSY], changed_by=PSY).model_copy(
        update={"shown_to_changer": False}
    )
    assert set(recipients(routing.conflict_flagged(TEAM, from_ehr))) == {NEU, PSY, GP}


def test_a_conflict_found_by_re_evaluation_reaches_every_prescriber() -> None:
    routes = routing.conflict_flagged(
        TEAM, flagged("major", prescribers=[NEU, PSY], changed_by=None)
    )
    assert set(recipients(routes)) == {NEU, PSY, GP}


def test_an_implicated_prescriber_no_longer_on_the_team_still_hears() -> None:
    team = {PSY: "psychiatrist"}
    routes = routing.conflict_flagged(
        team, flagged("major", prescribers=["dr-ehr", PSY], changed_by=PSY)
    )
    assert set(recipients(routes)) == {"dr-ehr"}


def test_acknowledgement_and_resolution_reach_the_other_prescribers_involved() -> None:
    acked = ConflictAcknowledgedData(
        conflict_id=uuid4(), patient_id="p-1", rule_id="PK-34",
        severity=ConflictSeverity.MAJOR, medications=["amitriptyline", "fluoxetine"],
        prescribers=[NEU, PSY], acknowledged_by=PSY,
        reason=AcknowledgementReason.DOSE_ADJUSTED, note="TDM booked", acknowledged_at=AT,
    )  # fmt: skip
    routes = routing.conflict_acknowledged(acked)
    assert recipients(routes) == {NEU: ("conflict_acknowledged", Priority.NORMAL)}
    assert "TDM booked" in routes[0].body
    resolved = ConflictResolvedData(
        conflict_id=uuid4(), patient_id="p-1", rule_id="PK-34",
        severity=ConflictSeverity.MAJOR, medications=["amitriptyline", "fluoxetine"],
        prescribers=[NEU, PSY], reason=ResolutionReason.WASHOUT_ENDED, resolved_at=AT,
    )  # fmt: skip
    assert set(recipients(routing.conflict_resolved(resolved))) == {NEU, PSY}
    minor = resolved.model_copy(update={"severity": ConflictSeverity.MINOR})
    assert {r.priority for r in routing.conflict_resolved(minor)} == {Priority.DIGEST}


def test_phq9_item9_reaches_the_psychiatrist_urgently_and_tells_the_rest_less() -> None:
    routes = routing.diary_alert(TEAM, alert("phq9_item9", {"item9": 2, "total": 19}))
    assert recipients(routes) == {
        PSY: ("safety_alert", Priority.URGENT),
        NEU: ("safety_event", Priority.NORMAL),
        GP: ("safety_event", Priority.NORMAL),
        NURSE: ("safety_event", Priority.NORMAL),
    }
    told = next(r for r in routes if r.recipient_id == NEU)
    assert "evidence" not in told.data  # no more detail than they need
    assert "item9" not in told.body


@pytest.mark.parametrize(
    ("team", "urgent"),
    [
        ({NEU: "headache_specialist", GP: "primary_care"}, {GP}),
        ({NEU: "headache_specialist", NURSE: "nurse"}, {NEU, NURSE}),
    ],
)
def test_without_a_psychiatrist_primary_care_else_everyone(
    team: dict[str, str], urgent: set[str]
) -> None:
    routes = routing.diary_alert(team, alert("phq9_item9"))
    assert {r.recipient_id for r in routes if r.priority is Priority.URGENT} == urgent


def test_overuse_reaches_the_headache_specialist() -> None:
    evidence = {"scope": "triptans", "threshold_days": 10, "months": [{"days_counted": 12}]}
    [route] = routing.diary_alert(TEAM, alert("medication_overuse", evidence))
    assert (route.recipient_id, route.kind, route.priority) == (
        NEU, "medication_overuse", Priority.HIGH,
    )  # fmt: skip
    assert "12 days" in route.body
    [warning] = routing.diary_alert(TEAM, alert("medication_overuse_warning", evidence))
    assert warning.priority is Priority.NORMAL


def test_an_unknown_alert_kind_notifies_nobody() -> None:
    assert routing.diary_alert(TEAM, alert("something_new")) == []


def visit(clinicians: list[str]) -> VisitData:
    return VisitData(
        visit_id=UUID(int=7), patient_id="p-1", clinician_ids=clinicians,
        type=VisitType("joint_review"), modality=Modality("video"), starts_at=AT,
        ends_at=AT, status=VisitStatus("proposed"),
    )  # fmt: skip


def test_joint_review_proposals_reach_the_participants() -> None:
    routes = routing.visit_changed("org.carecoord.joint_review.proposed.v1", visit([NEU, PSY]))
    assert recipients(routes) == {
        NEU: ("joint_review_proposed", Priority.HIGH),
        PSY: ("joint_review_proposed", Priority.HIGH),
    }


def test_visit_changes_skip_who_made_them_and_reminders() -> None:
    cancelled = routing.visit_changed("org.carecoord.visit.cancelled.v1", visit([NEU, PSY]), NEU)
    assert set(recipients(cancelled)) == {PSY}
    for quiet in ("visit.completed", "visit.reminder_due"):
        assert routing.visit_changed(f"org.carecoord.{quiet}.v1", visit([NEU, PSY])) == []


def test_notification_ids_are_stable_per_cause_recipient_and_kind() -> None:
    one = routing.notification_id("evt-1", NEU, "conflict_flagged")
    assert one == routing.notification_id("evt-1", NEU, "conflict_flagged")
    assert one != routing.notification_id("evt-1", PSY, "conflict_flagged")
    assert one != routing.notification_id("evt-2", NEU, "conflict_flagged")
