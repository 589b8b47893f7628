"""Use cases: visits scheduling proposes by itself (issue 5, Repeat and joint review).

* A follow-up 6-8 weeks after a visit at which the prescriber started or changed a migraine
  preventive (when its effect can be judged), proposed to the prescriber and the patient.
* A joint review (headache specialist, psychiatrist and patient) when a major or
  contraindicated conflict stays unacknowledged, or a diary safety alert arrives.

Each proposal holds the earliest common free slot until confirmed or expired, and has a key
derived from its trigger: the same trigger (a redelivered event, a second loop pass) finds
the first proposal instead of making another.
"""

import logging
from datetime import datetime, timedelta
from uuid import uuid4

from services.scheduling.adapters import proposal_repository as pending
from services.scheduling.adapters import team_repository as team
from services.scheduling.adapters.repository import SlotTaken
from services.scheduling.availability import earliest_common_slot
from services.scheduling.context import SchedulingContext
from services.scheduling.domain.visits import DEFAULT_DURATION
from services.scheduling.visits import propose_visit
from shared.db import Connection
from shared.events.visits import (
    JointReviewProposed,
    JointReviewProposedData,
    Modality,
    ReviewTrigger,
    VisitData,
    VisitProposed,
    VisitStatus,
    VisitType,
)

logger = logging.getLogger(__name__)
JOINT_ROLES = ("headache_specialist", "psychiatrist")
_ATTEMPTS = 3  # a slot taken between the search and the insert: search again
# A preventive prescribed from an hour before a visit to a day after it was prescribed "at" it.
AT_VISIT = (timedelta(hours=1), timedelta(hours=24))


async def joint_reviewers(conn: Connection, patient_id: str) -> list[str] | None:
    """The patient's headache specialist and psychiatrist, or None without both."""
    roles = await team.roles(conn, patient_id)
    chosen = [next((c for c, r in roles.items() if r == role), None) for role in JOINT_ROLES]
    return None if None in chosen else [c for c in chosen if c is not None]


async def propose_joint_review(
    conn: Connection,
    ctx: SchedulingContext,
    patient_id: str,
    *,
    trigger: ReviewTrigger,
    trigger_id: str,
    clinicians: list[str],
) -> VisitData | None:
    """The joint review for this trigger (the existing one if proposed before); None when no
    common slot is free within the horizon."""
    key = f"joint-review:{trigger.value}:{trigger_id}"
    length = DEFAULT_DURATION[VisitType.JOINT_REVIEW]
    now = ctx.clock()
    for _ in range(_ATTEMPTS):
        existing = await pending.proposal(conn, key)
        if existing is not None:
            return existing
        start = now + ctx.joint_review_lead
        slot = await earliest_common_slot(
            conn, clinicians, patient_id, length, start, start + ctx.joint_review_horizon
        )
        if slot is None:
            logger.warning("no common slot for a joint review", extra={"patient_id": patient_id})
            return None
        visit = VisitData(
            visit_id=uuid4(), patient_id=patient_id, clinician_ids=clinicians,
            type=VisitType.JOINT_REVIEW, modality=Modality.VIDEO, starts_at=slot[0],
            ends_at=slot[1], status=VisitStatus.PROPOSED, expires_at=now + ctx.proposal_hold,
        )  # fmt: skip
        data = JointReviewProposedData(**visit.model_dump(), trigger=trigger, trigger_id=trigger_id)
        try:
            proposed, _ = await propose_visit(
                conn, ctx, visit, proposal_key=key, event_type=JointReviewProposed,
                event_data=data,
            )  # fmt: skip
            return proposed
        except SlotTaken:
            continue  # someone booked that slot meanwhile: the next one
    return None


async def propose_due_joint_reviews(conn: Connection, ctx: SchedulingContext) -> int:
    """Joint reviews for conflicts unacknowledged past their time; how many were proposed."""
    now, done = ctx.clock(), 0
    for conflict in await pending.due_conflicts(conn, now, limit=50):
        async with conn.transaction():
            if not await pending.still_due(conn, conflict.conflict_id, now):
                continue  # acknowledged, resolved or handled meanwhile
            clinicians = await joint_reviewers(conn, conflict.patient_id)
            if clinicians is None and len(set(conflict.prescribers)) == 2:
                clinicians = sorted(set(conflict.prescribers))
            if clinicians is None:
                await pending.give_up(conn, conflict.conflict_id, now)  # nobody to meet
                continue
            visit = await propose_joint_review(
                conn, ctx, conflict.patient_id, trigger=ReviewTrigger.CONFLICT_UNACKNOWLEDGED,
                trigger_id=str(conflict.conflict_id), clinicians=clinicians,
            )  # fmt: skip
            if visit is None:
                await pending.retry_later(conn, conflict.conflict_id, now + timedelta(hours=1))
                continue
            await pending.mark_proposed(conn, conflict.conflict_id, now)
            done += 1
    return done


async def propose_follow_up(
    conn: Connection, ctx: SchedulingContext, visit: VisitData, prescriber_id: str
) -> VisitData | None:
    """A follow-up of `visit` with the prescriber, 6-8 weeks on (the existing one if any)."""
    key = f"follow-up:{visit.visit_id}"
    existing = await pending.proposal(conn, key)
    if existing is not None:
        return existing
    first, last = await pending.follow_up_window(conn, visit.visit_id) or ctx.follow_up_window
    length = DEFAULT_DURATION[VisitType.FOLLOW_UP]
    for _ in range(_ATTEMPTS):
        slot = await earliest_common_slot(
            conn, [prescriber_id], visit.patient_id, length,
            visit.starts_at + first, visit.starts_at + last,
        )  # fmt: skip
        if slot is None:
            logger.warning("no slot for a follow-up", extra={"visit_id": str(visit.visit_id)})
            return None
        follow_up = VisitData(
            visit_id=uuid4(), patient_id=visit.patient_id, clinician_ids=[prescriber_id],
            type=VisitType.FOLLOW_UP, modality=visit.modality, starts_at=slot[0],
            ends_at=slot[1], status=VisitStatus.PROPOSED,
            expires_at=ctx.clock() + ctx.proposal_hold,
        )  # fmt: skip
        try:
            proposed, _ = await propose_visit(
                conn, ctx, follow_up, proposal_key=key, event_type=VisitProposed
            )
            return proposed
        except SlotTaken:
            continue
    return None


async def follow_ups_for_visit(conn: Connection, ctx: SchedulingContext, visit: VisitData) -> None:
    """After a visit took place: a follow-up if one of its clinicians changed a preventive
    at it (the prescription event may have come first)."""
    for prescriber in visit.clinician_ids:
        if await pending.preventive_changed_between(
            conn, visit.patient_id, prescriber,
            visit.starts_at - AT_VISIT[0], visit.ends_at + AT_VISIT[1],
        ):  # fmt: skip
            await propose_follow_up(conn, ctx, visit, prescriber)
            return


async def follow_ups_for_preventive(
    conn: Connection, ctx: SchedulingContext, patient_id: str, prescriber_id: str, at: datetime
) -> None:
    """After a preventive was started or changed: a follow-up if it was at a visit that took
    place (the visit's completion may have come first)."""
    visit = await pending.fulfilled_visit_around(
        conn, patient_id, prescriber_id, at - AT_VISIT[1], at + AT_VISIT[0]
    )
    if visit is not None:
        await propose_follow_up(conn, ctx, visit, prescriber_id)
