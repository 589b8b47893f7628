"""Escalation of unacknowledged urgent notifications: re-sent, then handed on in order."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from services.care_team.domain.escalation import (
    ChainLink,
    Escalation,
    escalation_id,
    escalation_order,
    next_escalation,
)

SENT = datetime(2026, 11, 2, 9, tzinfo=UTC)
AFTER = timedelta(minutes=30)
TEAM = {
    "dr-nurse": "nurse",
    "dr-neuro": "headache_specialist",
    "dr-gp": "primary_care",
    "dr-psych": "psychiatrist",
    "dr-ehr": "external",
}


def original(recipient: str = "dr-psych") -> ChainLink:
    return ChainLink(uuid4(), recipient, 0, SENT, "PHQ-9 item 9 answered above zero",
                     "Review the patient today.", {"alert_id": "a-1"})  # fmt: skip


def follow(link: ChainLink, step: Escalation, at: datetime) -> ChainLink:
    return ChainLink(step.notification_id, step.recipient_id, step.step, at, step.title,
                     step.body, step.data)  # fmt: skip


def escalate(link: ChainLink, now: datetime, had: set[str]) -> Escalation | None:
    return next_escalation(link, team=TEAM, already_had=had, now=now, escalate_after=AFTER)


def test_nothing_happens_before_the_window_ends() -> None:
    assert escalate(original(), SENT + AFTER - timedelta(seconds=1), {"dr-psych"}) is None


def test_first_it_is_re_sent_to_the_same_clinician() -> None:
    first = original()
    step = escalate(first, SENT + AFTER, {"dr-psych"})
    assert step is not None
    assert (step.recipient_id, step.step) == ("dr-psych", 1)
    assert step.notification_id == escalation_id(first.notification_id, 1)
    assert step.title == "Not acknowledged: PHQ-9 item 9 answered above zero"
    assert step.data["original_notification_id"] == str(first.notification_id)
    assert step.data["escalated_from"] == str(first.notification_id)
    assert step.data["alert_id"] == "a-1"  # what the original said travels along


def test_then_it_goes_down_the_team_in_role_order_to_who_has_not_had_it() -> None:
    first = original()
    had = {"dr-psych"}
    link, recipients = first, []
    now = SENT
    while True:
        now += AFTER
        step = escalate(link, now, had)
        if step is None:
            break
        recipients.append(step.recipient_id)
        had.add(step.recipient_id)
        assert step.notification_id == escalation_id(first.notification_id, step.step)
        assert step.data["original_notification_id"] == str(first.notification_id)
        assert step.data["original_title"] == first.title
        link = follow(link, step, now)
    assert recipients == ["dr-psych", "dr-gp", "dr-neuro", "dr-nurse", "dr-ehr"]
    assert link.step == 5


def test_the_hand_on_skips_clinicians_who_had_it_from_the_start() -> None:
    first = original("dr-gp")
    resent = escalate(first, SENT + AFTER, {"dr-gp", "dr-psych"})
    assert resent is not None
    handed = escalate(follow(first, resent, SENT + AFTER), SENT + 2 * AFTER, {"dr-gp", "dr-psych"})
    assert handed is not None
    assert (handed.recipient_id, handed.step) == ("dr-neuro", 2)
    assert handed.title.startswith("Handed on, not acknowledged: PHQ-9 item 9")


def test_nobody_left_ends_the_chain() -> None:
    first = original()
    resent = escalate(first, SENT + AFTER, {"dr-psych"})
    assert resent is not None
    link = follow(first, resent, SENT + AFTER)
    assert escalate(link, SENT + 2 * AFTER, set(TEAM)) is None


def test_a_team_of_one_only_gets_the_re_send() -> None:
    first = original()
    resent = next_escalation(first, team={"dr-psych": "psychiatrist"}, already_had={"dr-psych"},
                             now=SENT + AFTER, escalate_after=AFTER)  # fmt: skip
    assert resent is not None
    link = follow(first, resent, SENT + AFTER)
    assert next_escalation(link, team={"dr-psych": "psychiatrist"}, already_had={"dr-psych"},
                           now=SENT + 2 * AFTER, escalate_after=AFTER) is None  # fmt: skip


def test_ids_are_stable_per_original_and_step() -> None:
    one, other = UUID(int=1), UUID(int=2)
    assert escalation_id(one, 1) == escalation_id(one, 1)
    assert len({escalation_id(one, 1), escalation_id(one, 2), escalation_id(other, 1)}) == 3


def test_order_is_by_role_then_id_and_unknown_roles_come_last() -> None:
    team = {"b": "primary_care", "a": "primary_care", "z": "psychiatrist", "q": "dietitian"}
    assert escalation_order(team) == ["z", "a", "b", "q"]
