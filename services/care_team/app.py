"""Composition root of the care-team service."""

from pathlib import Path

from fastapi import FastAPI

from services.care_team.adapters.notification_listener import NotificationListener
from services.care_team.adapters.stream_pool import StreamPool
from services.care_team.adapters.subscribers import register_subscribers
from services.care_team.api.change_commands import change_commands
from services.care_team.api.routes import (
    checks,
    conflicts,
    feed,
    medications,
    notification_stream,
    notifications,
    prescriptions,
    team,
)
from services.care_team.api.routes import preferences as notification_preferences
from services.care_team.context import CareTeamContext, Clock
from services.care_team.digests import summary_loop
from services.care_team.domain.engine import ConflictEngine
from services.care_team.escalating import escalation_loop
from services.care_team.reevaluation_loop import reevaluation_loop
from services.care_team.settings import CareTeamSettings
from services.care_team.webhooks import api as webhooks
from services.care_team.webhooks.worker import webhook_delivery_loop
from shared.events.care_team import (
    ConflictAcknowledged,
    ConflictFlagged,
    ConflictResolved,
    MemberAdded,
    MemberRemoved,
)
from shared.events.envelope import utc_now
from shared.events.notifications import NotificationCreated
from shared.events.prescriptions import (
    PrescriptionChanged,
    PrescriptionStarted,
    PrescriptionStopped,
)
from shared.events.registry import Topic
from shared.http import create_service_app
from shared.migrations import service_migrations
from shared.outbox_relay import AfterPublish
from shared.runtime import ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"

_PUBLISHED = (
    (Topic.PRESCRIPTIONS, PrescriptionStarted, "prescription.started: a clinician started one"),
    (Topic.PRESCRIPTIONS, PrescriptionChanged, "prescription.changed: dose/frequency changed"),
    (Topic.PRESCRIPTIONS, PrescriptionStopped, "prescription.stopped: a clinician stopped one"),
    (Topic.CARE_TEAM, MemberAdded, "care_team.member_added"),
    (Topic.CARE_TEAM, MemberRemoved, "care_team.member_removed"),
    (Topic.CARE_TEAM, ConflictFlagged, "medication_conflict.flagged (again on a material change)"),
    (Topic.CARE_TEAM, ConflictAcknowledged, "medication_conflict.acknowledged with a reason"),
    (Topic.CARE_TEAM, ConflictResolved, "medication_conflict.resolved (stopped, washout ended)"),
    (
        Topic.NOTIFICATIONS,
        NotificationCreated,
        "notification.created, keyed by the recipient: what a clinician is told (pushed ones)",
    ),
)


def create_app(
    settings: CareTeamSettings | None = None,
    *,
    relay_after_publish: AfterPublish | None = None,
    clock: Clock = utc_now,
    engine: ConflictEngine | None = None,
) -> FastAPI:
    settings = settings or CareTeamSettings()
    runtime = ServiceRuntime(
        settings,
        migrations=service_migrations(settings.service_name, MIGRATIONS),
        consumes=[Topic.PRESCRIPTIONS, Topic.DIARY, Topic.VISITS],
        produces=[Topic.CARE_TEAM, Topic.NOTIFICATIONS],
        relay_after_publish=relay_after_publish,
    )
    ctx = CareTeamContext(
        engine=engine or ConflictEngine.load(),
        care_team_topic=settings.topic(Topic.CARE_TEAM),
        prescriptions_topic=settings.topic(Topic.PRESCRIPTIONS),
        clock=clock,
        notifications_topic=settings.topic(Topic.NOTIFICATIONS),
        notify_channel=f"{settings.db_schema}_notifications",
    )
    register_subscribers(runtime, ctx, prescription_consumers=settings.prescription_consumers)
    for topic, schema, description in _PUBLISHED:
        runtime.document_publisher(topic, schema, description)
    runtime.background.append(
        reevaluation_loop(runtime, ctx, interval_s=settings.reevaluation_interval_s)
    )
    runtime.background.append(webhook_delivery_loop(runtime, ctx, settings))
    listener = NotificationListener(settings.database_url, ctx.notify_channel)
    runtime.background.append(listener.run)
    stream_pool = StreamPool(
        settings.database_url, schema=settings.db_schema, size=settings.stream_pool_size
    )
    runtime.background.append(stream_pool.run)
    runtime.background.append(
        escalation_loop(
            runtime,
            ctx,
            escalate_after=settings.escalation_after,
            interval_s=settings.notification_loop_interval_s,
        )
    )
    runtime.background.append(
        summary_loop(runtime, ctx, interval_s=settings.notification_loop_interval_s)
    )
    commands = change_commands(lambda: runtime.pool, ctx, settings)
    runtime.background.append(commands.run)
    app = create_service_app(
        runtime,
        title="carecoord care_team",
        description=(
            "Care teams, every prescriber's prescriptions, the combined medication list, "
            "the conflict engine and its conflicts."
        ),
        routers=[
            team.router,
            prescriptions.router,
            medications.router,
            conflicts.router,
            checks.router,
            feed.router,
            notification_stream.router,  # before the inbox: "/stream" is no notification id
            notifications.router,
            webhooks.router,
            notification_preferences.router,
        ],
    )
    app.state.care_team = ctx
    app.state.change_commands = commands
    app.state.notification_listener = listener
    app.state.stream_pool = stream_pool
    app.state.on_exit_requested = [listener.close]  # open streams end; shutdown need not wait
    return app
