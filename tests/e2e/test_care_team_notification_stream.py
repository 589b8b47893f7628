"""The live notification stream over Server-Sent Events, against a real uvicorn server:
gap-free catch-up from Last-Event-ID, live delivery woken by LISTEN/NOTIFY, only the
recipient's own, keepalives, and a clean end on disconnect and on shutdown."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import uuid4

import httpx
import pytest

from services.care_team.adapters.notification_listener import NotificationListener
from services.care_team.app import create_app
from services.care_team.context import CareTeamContext
from services.care_team.notifying import store
from services.care_team.settings import CareTeamSettings
from shared.events.notifications import NotificationPriority
from tests.support.ids import unique
from tests.support.infrastructure import Endpoints
from tests.support.live_server import LiveService, live_service
from tests.support.notifications import create_notification
from tests.support.settings import isolated_settings
from tests.support.sse import SseReader
from tests.support.tokens import clinician_auth, patient_auth
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e
STREAM = "/clinicians/me/notifications/stream"


def _listener(service: LiveService) -> NotificationListener:
    listener: NotificationListener = service.app.state.notification_listener
    return listener


@asynccontextmanager
async def _care_team(infra: Endpoints, **overrides: Any) -> AsyncIterator[LiveService]:
    # Poll and keepalive far beyond any wait here: a live notification can only arrive
    # because LISTEN/NOTIFY woke the stream.
    values: dict[str, Any] = {"stream_poll_interval_s": 3600, "stream_heartbeat_s": 3600}
    settings = isolated_settings(CareTeamSettings, infra, **(values | overrides))
    async with live_service(create_app(settings)) as service:
        await eventually(
            lambda: _async(_listener(service).connected), bool, what="the LISTEN connection"
        )
        yield service


async def _async(value: bool) -> bool:
    return value


@asynccontextmanager
async def _stream(
    service: LiveService, clinician: str, headers: dict[str, str] | None = None
) -> AsyncIterator[SseReader]:
    async with (
        httpx.AsyncClient(base_url=service.base_url, timeout=30) as http,
        http.stream("GET", STREAM, headers=clinician_auth(clinician) | (headers or {})) as resp,
    ):
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        yield SseReader(resp)


@pytest.fixture
async def care_team(infra: Endpoints) -> AsyncIterator[LiveService]:
    async with _care_team(infra) as service:
        yield service


async def test_a_reconnect_with_last_event_id_gets_exactly_what_was_missed_in_order(
    care_team: LiveService,
) -> None:
    me, patient = unique("dr-"), unique("p-")
    async with _stream(care_team, me) as stream:
        opening = await stream.block()
        assert opening is not None and opening.retry == 3000 and opening.id == "0"
        live = await create_notification(care_team.app, recipient=me, patient=patient)
        received = await stream.notification()
        assert (received.id, received.event) == (str(live.seq), "notification")
        assert received.json()["notification_id"] == str(live.notification_id)
    await eventually(
        lambda: _async(_listener(care_team).subscriber_count == 0),
        bool,
        what="the server to notice the disconnect",
    )

    missed = [
        await create_notification(care_team.app, recipient=me, patient=patient) for _ in range(5)
    ]
    # Neither a digest one nor another clinician's is pushed to me.
    await create_notification(
        care_team.app, recipient=me, patient=patient, priority=NotificationPriority.DIGEST
    )
    await create_notification(care_team.app, recipient=unique("dr-"), patient=patient)

    async with _stream(care_team, me, {"Last-Event-ID": str(live.seq)}) as stream:
        opening = await stream.block()
        assert opening is not None and opening.id == str(live.seq)
        caught_up = [await stream.notification() for _ in missed]
        assert [b.id for b in caught_up] == [str(n.seq) for n in missed]
        assert [b.json()["notification_id"] for b in caught_up] == [
            str(n.notification_id) for n in missed
        ]
        assert [int(b.id or 0) for b in caught_up] == list(range(live.seq + 1, live.seq + 6))
        after = await create_notification(care_team.app, recipient=me, patient=patient)
        following = await stream.notification()  # the next one is the new one: nothing else
        assert following.id == str(after.seq)
        assert following.json()["recipient_id"] == me
    streamed = await care_team.pool.fetch(
        "SELECT DISTINCT patient_id, outcome FROM audit_log WHERE actor_subject = $1 "
        "AND resource = 'notification_stream'",
        me,
    )
    assert [(r["patient_id"], r["outcome"]) for r in streamed] == [(patient, "allowed")]


async def test_a_lost_listen_connection_loses_no_notification(care_team: LiveService) -> None:
    me, patient = unique("dr-"), unique("p-")
    listener = _listener(care_team)
    async with _stream(care_team, me) as stream:
        await stream.block()
        await care_team.pool.execute("SELECT pg_terminate_backend($1)", listener.backend_pid)
        await eventually(lambda: _async(not listener.connected), bool, what="the drop noticed")
        missed = await create_notification(care_team.app, recipient=me, patient=patient)
        # Its NOTIFY reached nobody; the reconnect wakes every stream to read the table.
        received = await stream.notification()
        assert received.id == str(missed.seq)
        assert listener.connected


async def test_another_clinicians_stream_never_shows_mine(care_team: LiveService) -> None:
    me, other, patient = unique("dr-"), unique("dr-"), unique("p-")
    await create_notification(care_team.app, recipient=me, patient=patient)
    async with _stream(care_team, other, {"Last-Event-ID": "0"}) as stream:
        await create_notification(care_team.app, recipient=me, patient=patient)
        theirs = await create_notification(care_team.app, recipient=other, patient=patient)
        first = await stream.notification()
        assert first.json()["notification_id"] == str(theirs.notification_id)
        assert first.json()["recipient_id"] == other


async def test_the_query_parameter_stands_in_for_the_header(care_team: LiveService) -> None:
    me, patient = unique("dr-"), unique("p-")
    first = await create_notification(care_team.app, recipient=me, patient=patient)
    second = await create_notification(care_team.app, recipient=me, patient=patient)
    async with (
        httpx.AsyncClient(base_url=care_team.base_url, timeout=30) as http,
        http.stream(
            "GET", STREAM, params={"last_event_id": first.seq}, headers=clinician_auth(me)
        ) as response,
    ):
        block = await SseReader(response).notification()
        assert block.id == str(second.seq)


async def test_only_a_clinician_has_a_stream_and_bad_ids_are_named(
    care_team: LiveService,
) -> None:
    async with httpx.AsyncClient(base_url=care_team.base_url, timeout=30) as http:
        patient = await http.get(STREAM, headers=patient_auth(unique("p-")))
        assert patient.status_code == 403
        assert (await http.get(STREAM)).status_code == 401
        bad = await http.get(
            STREAM, headers=clinician_auth(unique("dr-")) | {"Last-Event-ID": "abc"}
        )
        assert bad.status_code == 422
        assert bad.json()["detail"][0]["loc"] == ["header", "Last-Event-ID"]


async def test_an_idle_stream_gets_keepalives(infra: Endpoints) -> None:
    async with (
        _care_team(infra, stream_heartbeat_s=0.2) as service,
        _stream(service, unique("dr-")) as stream,
    ):
        await stream.block()  # the opening retry/id
        keepalive = await stream.block()
        assert keepalive is not None and keepalive.comments == ["keepalive"]


async def test_shutdown_ends_open_streams_cleanly(infra: Endpoints) -> None:
    async with _care_team(infra) as service:
        async with _stream(service, unique("dr-")) as stream:
            await stream.block()
            await service.stop()  # as on SIGTERM, with the stream still open
            assert await stream.block() is None  # the server ended it: no broken response
        assert service.serving.done() and service.serving.exception() is None


async def test_a_streamed_summary_is_audited_for_every_patient_it_lists(
    care_team: LiveService,
) -> None:
    me, first, second = unique("dr-"), unique("p-"), unique("p-")
    ctx: CareTeamContext = care_team.app.state.care_team
    async with _stream(care_team, me) as stream:
        await stream.block()  # the opening id: the stream is live
        async with care_team.pool.acquire() as conn, conn.transaction():
            summary = await store(
                conn, ctx, notification_id=uuid4(), recipient_id=me, patient_id="",
                kind="quiet_hours_summary", priority=NotificationPriority.NORMAL,
                title="2 while you were away", body="", cause_event_id=str(uuid4()),
                cause_type="test",
                data={"items": [{"patient_id": first}, {"patient_id": second}, {"n": 1}]},
            )  # fmt: skip
        assert summary is not None
        streamed = await stream.notification()
        assert streamed.json()["notification_id"] == str(summary.notification_id)
    audited = await care_team.pool.fetch(
        "SELECT patient_id FROM audit_log WHERE actor_subject = $1 "
        "AND resource = 'notification_stream' AND action = 'read' AND outcome = 'allowed'",
        me,
    )
    assert sorted(r["patient_id"] for r in audited) == sorted([first, second])
