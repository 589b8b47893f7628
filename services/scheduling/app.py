"""Composition root of the scheduling service."""

from pathlib import Path

from fastapi import FastAPI

from services.scheduling.adapters.subscribers import register_subscribers
from services.scheduling.api.routes import availability, slots, visits
from services.scheduling.context import Clock, SchedulingContext
from services.scheduling.loops import register_loops
from services.scheduling.settings import SchedulingSettings
from shared.events.envelope import utc_now
from shared.events.registry import Topic
from shared.events.visits import (
    JointReviewProposed,
    VisitBooked,
    VisitCancelled,
    VisitCompleted,
    VisitNoShow,
    VisitProposed,
    VisitReminderDue,
    VisitRescheduled,
)
from shared.http import create_service_app
from shared.migrations import service_migrations
from shared.outbox_relay import AfterPublish
from shared.runtime import ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"

_PUBLISHED = (
    (VisitBooked, "visit.booked: a visit was booked, or a proposal confirmed"),
    (VisitProposed, "visit.proposed: a follow-up proposed after a preventive was started"),
    (VisitRescheduled, "visit.rescheduled: moved, with the previous time"),
    (VisitCancelled, "visit.cancelled: with the reason (`expired` for a lapsed proposal)"),
    (VisitCompleted, "visit.completed: it took place, with an outcome note"),
    (VisitNoShow, "visit.no_show: the patient did not come"),
    (VisitReminderDue, "visit.reminder_due: once per booked visit, before it"),
    (JointReviewProposed, "joint_review.proposed: both prescribers and the patient, held"),
)


def create_app(
    settings: SchedulingSettings | None = None,
    *,
    relay_after_publish: AfterPublish | None = None,
    clock: Clock = utc_now,
) -> FastAPI:
    settings = settings or SchedulingSettings()
    runtime = ServiceRuntime(
        settings,
        migrations=service_migrations(settings.service_name, MIGRATIONS),
        consumes=[Topic.CARE_TEAM, Topic.PRESCRIPTIONS, Topic.DIARY],
        produces=[Topic.VISITS],
        relay_after_publish=relay_after_publish,
    )
    context = SchedulingContext.of(settings, clock)
    register_subscribers(runtime, context)
    register_loops(runtime, context, settings.loop_interval_s)
    for schema, description in _PUBLISHED:
        runtime.document_publisher(Topic.VISITS, schema, description)
    app = create_service_app(
        runtime,
        title="carecoord scheduling",
        description="Clinicians' availability and visits; publishes visit events.",
        routers=[visits.router, availability.router, slots.router],
    )
    app.state.scheduling = context
    return app
