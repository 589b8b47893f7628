"""Runs a service app in-process (lifespan and all) against the test infrastructure."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings
from tests.support.infrastructure import Endpoints
from tests.support.settings import isolated_settings

S = TypeVar("S", bound=ServiceSettings)


@dataclass
class RunningService:
    app: FastAPI
    settings: ServiceSettings
    http: httpx.AsyncClient

    @property
    def runtime(self) -> ServiceRuntime:
        runtime: ServiceRuntime = self.app.state.runtime
        return runtime


@asynccontextmanager
async def running_service(
    create_app: Callable[..., FastAPI],
    settings_cls: type[S],
    infra: Endpoints,
    *,
    app_kwargs: dict[str, Any] | None = None,
    **overrides: Any,
) -> AsyncIterator[RunningService]:
    settings = isolated_settings(settings_cls, infra, **overrides)
    app = create_app(settings, **(app_kwargs or {}))
    async with (
        LifespanManager(app, startup_timeout=120, shutdown_timeout=60) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://service.test"
        ) as http,
    ):
        yield RunningService(app, settings, http)
