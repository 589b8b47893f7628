"""Run a service app under uvicorn with JSON logs (used by each `python -m services.<name>`)."""

import asyncio
import contextlib
from collections.abc import Callable
from types import FrameType

import uvicorn
from fastapi import FastAPI

from shared.logging import configure_logging
from shared.settings import ServiceSettings


class _Server(uvicorn.Server):
    """uvicorn waits for open responses before it runs the app's shutdown, so endless ones
    (event streams) would hold the exit until the graceful timeout. On the exit signal it
    calls the app's `state.on_exit_requested` callbacks at once, on the event loop."""

    def __init__(self, config: uvicorn.Config, app: FastAPI) -> None:
        super().__init__(config)
        self._app = app

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        with contextlib.suppress(RuntimeError):  # no loop running: nothing to end
            asyncio.get_running_loop().call_soon_threadsafe(exit_requested, self._app)


def exit_requested(app: FastAPI) -> None:
    """Tell the app an exit was asked for (on its event loop): endless responses end."""
    callbacks: list[Callable[[], None]] = getattr(app.state, "on_exit_requested", [])
    for callback in callbacks:
        callback()


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    configure_logging(settings.service_name, settings.log_level)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,  # keep our JSON handler
        access_log=False,  # shared.http logs route templates instead of concrete paths
        timeout_graceful_shutdown=20,
    )
    _Server(config, app).run()
