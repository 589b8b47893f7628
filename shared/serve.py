"""Run a service app under uvicorn with JSON logs (used by each `python -m services.<name>`)."""

import uvicorn
from fastapi import FastAPI

from shared.logging import configure_logging
from shared.settings import ServiceSettings


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    configure_logging(settings.service_name, settings.log_level)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,  # keep our JSON handler
        access_log=False,  # shared.http logs route templates instead of concrete paths
        timeout_graceful_shutdown=20,
    )
