"""A service app under a real uvicorn server on a free local port, inside the test's event
loop: for responses that must arrive incrementally (Server-Sent Events), which httpx's
ASGITransport only hands over once complete."""

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg
import uvicorn
from fastapi import FastAPI

from shared.serve import exit_requested
from tests.support.waiting import eventually


@dataclass
class LiveService:
    app: FastAPI
    base_url: str
    server: uvicorn.Server
    serving: "asyncio.Task[None]"

    @property
    def pool(self) -> asyncpg.Pool:
        pool: asyncpg.Pool = self.app.state.runtime.pool
        return pool

    async def stop(self) -> None:
        """As on SIGTERM: the app hears the exit request, then uvicorn shuts down."""
        exit_requested(self.app)
        self.server.should_exit = True
        await self.serving


@asynccontextmanager
async def live_service(app: FastAPI) -> AsyncIterator[LiveService]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan="on", timeout_graceful_shutdown=60
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    await eventually(
        lambda: asyncio.sleep(0, server.started or serving.done()),
        bool,
        timeout_s=120,
        what="the service to start",
    )
    if serving.done():
        serving.result()  # startup failed: raise its error
    service = LiveService(app, f"http://127.0.0.1:{port}", server, serving)
    try:
        yield service
    finally:
        if not serving.done():
            await service.stop()
        sock.close()
