"""Composition root of the diary service."""

from pathlib import Path

from fastapi import FastAPI

from services.diary.api.routes import attacks
from services.diary.settings import DiarySettings
from shared.events.diary import AttackRecorded
from shared.events.registry import Topic
from shared.http import create_service_app
from shared.migrations import service_migrations
from shared.outbox_relay import AfterPublish
from shared.runtime import ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(
    settings: DiarySettings | None = None, *, relay_after_publish: AfterPublish | None = None
) -> FastAPI:
    settings = settings or DiarySettings()
    runtime = ServiceRuntime(
        settings,
        migrations=service_migrations(settings.service_name, MIGRATIONS),
        produces=[Topic.DIARY],
        relay_after_publish=relay_after_publish,
    )
    runtime.document_publisher(
        Topic.DIARY, AttackRecorded, "diary.attack.recorded: a headache attack was recorded."
    )
    return create_service_app(
        runtime,
        title="carecoord diary",
        description="Patients' headache and mood diary; publishes diary events.",
        routers=[attacks.router],
    )
