"""`python -m services.care_team` ends open notification streams on SIGTERM instead of
holding its exit until uvicorn's graceful timeout cancels them."""

import asyncio
import os
import signal
import socket
import subprocess
import sys

import httpx

from shared.settings import DEV_JWT_SECRET
from tests.support.ids import unique
from tests.support.infrastructure import Endpoints
from tests.support.sse import SseReader
from tests.support.tokens import clinician_auth
from tests.support.waiting import eventually


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _ready(url: str) -> bool:
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            return (await http.get(f"{url}/ready")).status_code == 200
    except httpx.TransportError:
        return False


async def test_sigterm_ends_open_streams_and_the_process_exits(infra: Endpoints) -> None:
    port = _free_port()
    env = os.environ | {
        "DATABASE_URL": infra.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": unique("t") + ".",
        "CARE_TEAM_DB_SCHEMA": unique("care_team_"),
        "CARE_TEAM_KAFKA_CONSUMER_GROUP": unique("g"),
        "CARE_TEAM_PORT": str(port),
        "ENVIRONMENT": "test",
        "JWT_SECRET": DEV_JWT_SECRET,
    }
    process = subprocess.Popen(  # noqa: ASYNC220 - started once, waited for below
        [sys.executable, "-m", "services.care_team"], env=env, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    try:
        await eventually(lambda: _ready(url), bool, timeout_s=120, what="care_team ready")
        async with (
            httpx.AsyncClient(base_url=url, timeout=30) as http,
            http.stream(
                "GET", "/clinicians/me/notifications/stream", headers=clinician_auth(unique("dr-"))
            ) as response,
        ):
            stream = SseReader(response)
            assert await stream.block() is not None  # open: the opening retry/id block
            process.send_signal(signal.SIGTERM)
            assert await stream.block() is None  # ended by the server, not broken off
        returncode = await asyncio.to_thread(process.wait, 60)
        _, stderr = await asyncio.to_thread(process.communicate)
        assert returncode in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once done
        assert b"timeout graceful shutdown exceeded" not in stderr
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
