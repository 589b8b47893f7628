"""Escalation of unacknowledged urgent notifications (pure: the chain's latest link, the team
and the time in; the next link out).

An urgent notification nobody acknowledged within `escalate_after` (default 30 minutes, the
usual critical-result window) is:

1. re-sent to the same recipient (step 1);
2. after another `escalate_after`, handed on to the next clinician on the patient's team who
   has not had it yet (step 2), then to the next one (step 3), and so on until someone
   acknowledges or nobody is left.

The next clinician is taken in ESCALATION_ORDER by role (the psychiatrist first: PHQ-9 item 9
is the main urgent cause), then by id. Each link's id is derived from the original's id and
the step, so restarts and several instances can never create a step twice.
"""

from collections.abc import Mapping, Set
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

ESCALATION_ORDER = ("psychiatrist", "primary_care", "headache_specialist", "nurse", "pharmacist",
                    "external")  # fmt: skip
ESCALATION_KIND = "escalation"
_NAMESPACE = uuid5(NAMESPACE_URL, "https://carecoord.example/notification-escalations")


@dataclass(frozen=True)
class ChainLink:
    """The latest notification of a chain (the original, or its latest escalation)."""

    notification_id: UUID
    recipient_id: str
    step: int  # 0: the original
    created_at: datetime
    title: str
    body: str
    data: Mapping[str, Any]

    @property
    def original_id(self) -> UUID:
        return UUID(self.data["original_notification_id"]) if self.step else self.notification_id

    @property
    def original_title(self) -> str:
        return str(self.data["original_title"]) if self.step else self.title

    @property
    def original_recipient(self) -> str:
        return str(self.data["original_recipient_id"]) if self.step else self.recipient_id


@dataclass(frozen=True)
class Escalation:
    notification_id: UUID
    recipient_id: str
    step: int
    title: str
    body: str
    data: dict[str, Any]


def escalation_id(original_id: UUID, step: int) -> UUID:
    return uuid5(_NAMESPACE, f"{original_id}|{step}")


def due(link: ChainLink, now: datetime, escalate_after: timedelta) -> bool:
    return now - link.created_at >= escalate_after


def escalation_order(team: Mapping[str, str]) -> list[str]:
    """The team's clinicians in the order urgent items are handed on."""
    rank = {role: i for i, role in enumerate(ESCALATION_ORDER)}
    return sorted(team, key=lambda c: (rank.get(team[c], len(rank)), c))


def next_escalation(
    link: ChainLink,
    *,
    team: Mapping[str, str],
    already_had: Set[str],
    now: datetime,
    escalate_after: timedelta,
) -> Escalation | None:
    """The next link, or None: not due yet, or nobody left on the team who has not had it."""
    if not due(link, now, escalate_after):
        return None
    step = link.step + 1
    if step == 1:
        recipient = link.recipient_id
        title = f"Not acknowledged: {link.original_title}"
    else:
        left = [c for c in escalation_order(team) if c not in already_had]
        if not left:
            return None
        recipient = left[0]
        title = f"Handed on, not acknowledged: {link.original_title}"
    minutes = int((now - link.created_at).total_seconds() // 60)
    body = (
        f"{link.original_title} (sent to {link.original_recipient}) has not been acknowledged"
        f" for {minutes} min. {_original_body(link)}"
    )
    data = {
        **link.data,
        "original_notification_id": str(link.original_id),
        "original_title": link.original_title,
        "original_recipient_id": link.original_recipient,
        "original_body": _original_body(link),
        "escalated_from": str(link.notification_id),
        "escalation_step": step,
    }
    return Escalation(escalation_id(link.original_id, step), recipient, step, title, body, data)


def _original_body(link: ChainLink) -> str:
    return str(link.data["original_body"]) if link.step else link.body
