"""Composition root of the care-team service."""

from pathlib import Path

from fastapi import FastAPI

from services.care_team.adapters.subscribers import register_subscribers
from services.care_team.api.routes import medications
from services.care_team.settings import CareTeamSettings
from shared.events.registry import Topic
from shared.http import create_service_app
from shared.migrations import service_migrations
from shared.outbox_relay import AfterPublish
from shared.runtime import ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(
    settings: CareTeamSettings | None = None, *, relay_after_publish: AfterPublish | None = None
) -> FastAPI:
    settings = settings or CareTeamSettings()
    runtime = ServiceRuntime(
        settings,
        migrations=service_migrations(settings.service_name, MIGRATIONS),
        consumes=[Topic.PRESCRIPTIONS],
        produces=[Topic.CARE_TEAM, Topic.NOTIFICATIONS],
        relay_after_publish=relay_after_publish,
    )
    register_subscribers(runtime)
    return create_service_app(
        runtime,
        title="carecoord care_team",
        description=(
            "Care teams, every prescriber's prescriptions and the combined medication list."
        ),
        routers=[medications.router],
    )
