"""Composition root of the scheduling service."""

from pathlib import Path

from fastapi import FastAPI

from services.scheduling.api.routes import visits
from services.scheduling.settings import SchedulingSettings
from shared.events.registry import Topic
from shared.events.visits import VisitBooked
from shared.http import create_service_app
from shared.migrations import service_migrations
from shared.outbox_relay import AfterPublish
from shared.runtime import ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(
    settings: SchedulingSettings | None = None, *, relay_after_publish: AfterPublish | None = None
) -> FastAPI:
    settings = settings or SchedulingSettings()
    runtime = ServiceRuntime(
        settings,
        migrations=service_migrations(settings.service_name, MIGRATIONS),
        produces=[Topic.VISITS],
        relay_after_publish=relay_after_publish,
    )
    runtime.document_publisher(Topic.VISITS, VisitBooked, "visit.booked: a visit was booked.")
    return create_service_app(
        runtime,
        title="carecoord scheduling",
        description="Clinicians' availability and visits; publishes visit events.",
        routers=[visits.router],
    )
