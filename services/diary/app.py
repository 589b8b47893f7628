"""Composition root of the diary service."""

from pathlib import Path

from fastapi import FastAPI

from services.diary.adapters.subscribers import register_subscribers
from services.diary.api.deps import Clock
from services.diary.api.routes import imports, measures, preventive_effects, summary
from services.diary.api.routes import settings as diary_settings
from services.diary.api.routes.entries import entry_router
from services.diary.domain.attacks import AttackEntry
from services.diary.domain.checkins import CheckinEntry
from services.diary.domain.questionnaire_entry import QuestionnaireEntry
from services.diary.entry_kinds import ATTACK, CHECKIN, QUESTIONNAIRE
from services.diary.settings import DiarySettings
from shared.events.diary import (
    AlertRaised,
    AttackRecorded,
    CheckinRecorded,
    EntryDeleted,
    QuestionnaireCompleted,
)
from shared.events.envelope import utc_now
from shared.events.registry import Topic
from shared.http import create_service_app
from shared.migrations import service_migrations
from shared.outbox_relay import AfterPublish
from shared.runtime import ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"

_PUBLISHED = (
    (AttackRecorded, "diary.attack.recorded: an attack, or its correction (next revision)"),
    (CheckinRecorded, "diary.checkin.recorded: a daily check-in, or its correction"),
    (QuestionnaireCompleted, "diary.questionnaire.completed: PHQ-9/GAD-7/MIDAS/HIT-6, scored"),
    (EntryDeleted, "diary.entry.deleted: the patient deleted an entry"),
    (AlertRaised, "diary.alert.raised: overuse, PHQ-9 item 9, worsening; once per episode"),
)


def create_app(
    settings: DiarySettings | None = None,
    *,
    relay_after_publish: AfterPublish | None = None,
    clock: Clock = utc_now,
) -> FastAPI:
    """`clock`: the service's now (entry times are validated against real time regardless)."""
    settings = settings or DiarySettings()
    runtime = ServiceRuntime(
        settings,
        migrations=service_migrations(settings.service_name, MIGRATIONS),
        consumes=[Topic.VISITS, Topic.CARE_TEAM, Topic.PRESCRIPTIONS],
        produces=[Topic.DIARY],
        relay_after_publish=relay_after_publish,
    )
    register_subscribers(runtime)
    for schema, description in _PUBLISHED:
        runtime.document_publisher(Topic.DIARY, schema, description)
    app = create_service_app(
        runtime,
        title="carecoord diary",
        description="Patients' headache and mood diary; publishes diary events.",
        routers=[
            entry_router(ATTACK, "attacks", AttackEntry, "a headache attack"),
            entry_router(CHECKIN, "checkins", CheckinEntry, "a daily check-in"),
            entry_router(
                QUESTIONNAIRE, "questionnaires", QuestionnaireEntry, "a completed questionnaire"
            ),
            measures.router,
            summary.router,
            preventive_effects.router,
            imports.router,
            diary_settings.router,
        ],
    )
    app.state.clock = clock
    return app
