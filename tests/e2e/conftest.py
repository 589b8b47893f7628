from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from services.care_team.app import create_app as create_care_team
from services.care_team.settings import CareTeamSettings
from services.diary.app import create_app as create_diary
from services.diary.settings import DiarySettings
from services.scheduling.app import create_app as create_scheduling
from services.scheduling.settings import SchedulingSettings
from tests.support.clock import TestClock
from tests.support.ids import unique
from tests.support.infrastructure import Endpoints
from tests.support.services import RunningService, running_service

pytestmark = pytest.mark.e2e


@pytest.fixture
async def care_team(infra: Endpoints) -> AsyncIterator[RunningService]:
    async with running_service(create_care_team, CareTeamSettings, infra) as service:
        yield service


@pytest.fixture
async def diary(infra: Endpoints) -> AsyncIterator[RunningService]:
    async with running_service(create_diary, DiarySettings, infra) as service:
        yield service


@pytest.fixture
async def scheduling(infra: Endpoints) -> AsyncIterator[RunningService]:
    async with running_service(create_scheduling, SchedulingSettings, infra) as service:
        yield service


@dataclass
class Linked:
    """diary and care_team on one topic namespace (each with its own schema and groups), so
    each consumes what the other publishes; the diary's clock is the test's."""

    diary: RunningService
    care_team: RunningService
    diary_clock: TestClock


@pytest.fixture
async def linked(infra: Endpoints) -> AsyncIterator[Linked]:
    prefix, clock = unique("t") + ".", TestClock()
    async with (
        running_service(
            create_diary, DiarySettings, infra, app_kwargs={"clock": clock},
            kafka_topic_prefix=prefix,
        ) as diary,
        running_service(
            create_care_team, CareTeamSettings, infra, kafka_topic_prefix=prefix
        ) as care_team,
    ):  # fmt: skip
        yield Linked(diary, care_team, clock)
