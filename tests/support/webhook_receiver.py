"""A real HTTP webhook receiver for tests: uvicorn on 127.0.0.1 (a free port) in the test's
event loop, recording every request it gets and answering what the test decides."""

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.care_team.webhooks import signing
from tests.support.waiting import eventually


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]
    received_at: datetime
    answered: int | None = None  # None while the receiver is still deciding

    @property
    def notification_id(self) -> str:
        return str(json.loads(self.body)["notification_id"])

    @property
    def seq(self) -> int:
        return int(json.loads(self.body)["seq"])

    @property
    def attempt(self) -> int:
        return int(self.headers[signing.ATTEMPT_HEADER.lower()])

    @property
    def accepted(self) -> bool:
        return self.answered is not None and 200 <= self.answered < 300

    def signature_valid(self, secret: str) -> bool:
        header = self.headers.get(signing.SIGNATURE_HEADER.lower(), "")
        return signing.verify(secret, header, self.body, self.received_at)


# Decides the status code to answer (it may wait, to play a slow receiver).
Respond = Callable[[Received], Awaitable[int]]


async def always_ok(_: Received) -> int:
    return 200


@dataclass
class Receiver:
    url: str
    respond: Respond
    requests: list[Received] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0

    def accepted_ids(self) -> list[str]:
        return [r.notification_id for r in self.requests if r.accepted]

    def for_id(self, notification_id: str) -> list[Received]:
        return [r for r in self.requests if r.notification_id == notification_id]

    async def handle(self, request: Request) -> Response:
        received = Received(
            body=await request.body(),
            headers={k.lower(): v for k, v in request.headers.items()},
            received_at=datetime.now(UTC),
        )
        self.requests.append(received)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            received.answered = await self.respond(received)
        finally:
            self.in_flight -= 1
        return Response(status_code=received.answered)


class _QuietServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:  # the test runner owns the signals
        yield


@asynccontextmanager
async def running_receiver(respond: Respond = always_ok) -> AsyncIterator[Receiver]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    receiver = Receiver(url=f"http://127.0.0.1:{port}/hooks", respond=respond)
    app = Starlette(routes=[Route("/hooks", receiver.handle, methods=["POST"])])
    server = _QuietServer(
        uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False)
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))

    async def started() -> bool:
        return server.started or task.done()

    await eventually(started, bool, what="the webhook receiver to start")
    try:
        yield receiver
    finally:
        server.should_exit = True
        await task
        sock.close()
