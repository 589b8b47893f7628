"""Webhook delivery end to end: real notifications, the running care_team worker, and a real
HTTP receiver on localhost."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from services.care_team.app import create_app as create_care_team
from services.care_team.settings import CareTeamSettings
from tests.support.ids import unique
from tests.support.infrastructure import Endpoints
from tests.support.services import RunningService, running_service
from tests.support.tokens import clinician_auth
from tests.support.waiting import eventually
from tests.support.webhook_receiver import Received, Receiver, running_receiver
from tests.support.webhooks import (
    FAST_RETRIES,
    deliveries,
    notify_clinician,
    register,
    statuses,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
async def care_team(infra: Endpoints) -> AsyncIterator[RunningService]:
    async with running_service(
        create_care_team, CareTeamSettings, infra, **FAST_RETRIES
    ) as service:
        yield service


def fails_first(n: int) -> Any:
    """A receiver that answers 500 to its first n requests, then 200."""
    seen = 0

    async def respond(_: Received) -> int:
        nonlocal seen
        seen += 1
        return 500 if seen <= n else 200

    return respond


def assert_in_seq_order(receiver: Receiver) -> None:
    seqs = [r.seq for r in receiver.requests]
    assert seqs == sorted(seqs), f"a later notification overtook an earlier one: {seqs}"


async def test_a_receiver_that_recovers_gets_each_notification_once_in_order_signed(
    care_team: RunningService,
) -> None:
    clinician = unique("dr-")
    async with running_receiver(fails_first(4)) as receiver:
        subscription_id, secret = await register(care_team, clinician, receiver.url)
        sent = [await notify_clinician(care_team, clinician) for _ in range(3)]
        ids = [str(n.notification_id) for n in sent]

        found = await eventually(
            lambda: deliveries(care_team, clinician, subscription_id),
            lambda d: statuses(d) == dict.fromkeys(ids, "delivered"),
            what="every delivery delivered",
        )

    # Exactly once by id among the accepted ones, in seq order; repeats only after failures.
    assert receiver.accepted_ids() == ids
    assert_in_seq_order(receiver)
    assert len(receiver.for_id(ids[0])) == 5  # 4 failures, then the one accepted
    for request in receiver.requests:
        assert request.signature_valid(secret), request.headers
        assert request.headers["x-carecoord-notification-id"] == request.notification_id
    for notification_id in ids:
        requests = receiver.for_id(notification_id)
        assert [r.attempt for r in requests] == list(range(1, len(requests) + 1))
        assert [r.accepted for r in requests] == [False] * (len(requests) - 1) + [True]
    # The bodies are the notifications themselves (the Kafka event's data).
    assert [r.body for r in receiver.requests if r.accepted] == [
        n.model_dump_json().encode() for n in sent
    ]
    # Every attempt is on record, with what the receiver answered.
    for delivery in found:
        requests = receiver.for_id(delivery["notification_id"])
        assert delivery["attempt_count"] == len(requests)
        assert [a["status_code"] for a in delivery["attempts"]] == [r.answered for r in requests]
        assert [a["attempt"] for a in delivery["attempts"]] == [r.attempt for r in requests]


async def test_a_receiver_that_never_recovers_dead_letters_after_the_window_and_holds_the_next_back(
    infra: Endpoints,
) -> None:
    clinician = unique("dr-")
    failing: set[str] = set()

    async def respond(request: Received) -> int:
        return 500 if request.notification_id in failing else 204

    async with (
        running_service(
            create_care_team,
            CareTeamSettings,
            infra,
            **{**FAST_RETRIES, "webhook_retry_window_hours": 0.5 / 3600},
        ) as care_team,
        running_receiver(respond) as receiver,
    ):
        subscription_id, secret = await register(care_team, clinician, receiver.url)
        first = await notify_clinician(care_team, clinician)
        failing.add(str(first.notification_id))
        second = await notify_clinician(care_team, clinician)
        first_id, second_id = str(first.notification_id), str(second.notification_id)

        found = await eventually(
            lambda: deliveries(care_team, clinician, subscription_id),
            lambda d: statuses(d) == {first_id: "dead", second_id: "delivered"},
            what="the first dead-lettered, the second delivered",
        )

        # The second was held back until the first was given up.
        first_requests, second_requests = receiver.for_id(first_id), receiver.for_id(second_id)
        assert receiver.requests[: len(first_requests)] == first_requests
        assert len(second_requests) == 1
        assert_in_seq_order(receiver)
        # Every attempt recorded, each with the receiver's answer.
        dead = found[0]
        assert dead["finished_at"] is not None
        assert dead["attempt_count"] == len(first_requests) >= 1
        assert [a["attempt"] for a in dead["attempts"]] == list(range(1, len(first_requests) + 1))
        assert {a["status_code"] for a in dead["attempts"]} == {500}
        assert {a["error"] for a in dead["attempts"]} == {"HTTP 500"}
        assert all(r.signature_valid(secret) for r in receiver.requests)
        dead_letters = await deliveries(care_team, clinician, subscription_id, status="dead")
        assert [d["notification_id"] for d in dead_letters] == [first_id]

        # The receiver is fixed: the dead letter is re-queued by hand and delivered.
        failing.clear()
        response = await care_team.http.post(
            f"/webhooks/{subscription_id}/deliveries/{first_id}/redeliver",
            headers=clinician_auth(clinician),
        )
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "pending"
        await eventually(
            lambda: deliveries(care_team, clinician, subscription_id),
            lambda d: statuses(d)[first_id] == "delivered",
            what="the re-queued delivery delivered",
        )
        accepted = receiver.for_id(first_id)[-1]
        assert accepted.accepted
        assert accepted.attempt == len(first_requests) + 1  # attempt numbers keep counting
        again = await care_team.http.post(
            f"/webhooks/{subscription_id}/deliveries/{first_id}/redeliver",
            headers=clinician_auth(clinician),
        )
        assert again.status_code == 409


async def test_a_hanging_receiver_holds_up_only_its_own_subscription(
    care_team: RunningService,
) -> None:
    clinician = unique("dr-")
    release = asyncio.Event()

    async def hang(_: Received) -> int:
        await release.wait()
        return 200

    async with running_receiver(hang) as slow, running_receiver() as fast:
        slow_subscription, _ = await register(care_team, clinician, slow.url)
        fast_subscription, _ = await register(care_team, clinician, fast.url)
        notification_id = str((await notify_clinician(care_team, clinician)).notification_id)

        await eventually(
            lambda: deliveries(care_team, clinician, fast_subscription),
            lambda d: statuses(d) == {notification_id: "delivered"},
            what="the healthy receiver's delivery",
        )
        # Meanwhile the slow receiver still has the same notification in hand, unanswered.
        assert [r.answered for r in slow.requests] == [None]
        slow_state = await deliveries(care_team, clinician, slow_subscription)
        assert statuses(slow_state) == {notification_id: "pending"}

        release.set()
        await eventually(
            lambda: deliveries(care_team, clinician, slow_subscription),
            lambda d: statuses(d) == {notification_id: "delivered"},
            what="the slow receiver's delivery once it answers",
        )
    assert fast.accepted_ids() == slow.accepted_ids() == [notification_id]


async def test_two_instances_deliver_each_notification_once_in_order(infra: Endpoints) -> None:
    """Two care_team processes on one schema: one attempt at a time per subscription."""
    clinician = unique("dr-")
    shared: dict[str, Any] = {
        **FAST_RETRIES,
        "db_schema": unique("care_team_"),
        "kafka_topic_prefix": unique("t") + ".",
        "kafka_consumer_group": unique("g"),
    }
    failures: dict[str, int] = {}

    async def respond(request: Received) -> int:
        await asyncio.sleep(0.005)  # a receiver's own latency: overlapping requests would show
        failures[request.notification_id] = failures.get(request.notification_id, 0) + 1
        return 503 if failures[request.notification_id] <= 2 else 200

    async with (
        running_service(create_care_team, CareTeamSettings, infra, **shared) as one,
        running_service(create_care_team, CareTeamSettings, infra, **shared) as two,
        running_receiver(respond) as receiver,
    ):
        subscription_id, _ = await register(one, clinician, receiver.url)
        ids = [
            str((await notify_clinician(service, clinician)).notification_id)
            for service in (one, two, one, two, one)
        ]
        await eventually(
            lambda: deliveries(two, clinician, subscription_id),
            lambda d: statuses(d) == dict.fromkeys(ids, "delivered"),
            what="every delivery delivered",
        )
    assert receiver.accepted_ids() == ids
    assert receiver.most_in_flight == 1
    assert_in_seq_order(receiver)
    assert len(receiver.requests) == 3 * len(ids)


async def test_an_attempt_cut_off_by_a_crash_is_on_record_and_made_again(
    infra: Endpoints,
) -> None:
    clinician = unique("dr-")
    shared: dict[str, Any] = {
        **FAST_RETRIES,
        "db_schema": unique("care_team_"),
        "kafka_topic_prefix": unique("t") + ".",
        "kafka_consumer_group": unique("g"),
    }
    release = asyncio.Event()

    async def first_hangs(request: Received) -> int:
        if request.attempt == 1:
            await release.wait()
            return 500  # answered to nobody: the sender is long gone
        return 200

    async with running_receiver(first_hangs) as receiver:
        async with running_service(create_care_team, CareTeamSettings, infra, **shared) as one:
            subscription_id, _ = await register(one, clinician, receiver.url)
            notification_id = str((await notify_clinician(one, clinician)).notification_id)

            async def requests() -> int:
                return len(receiver.requests)

            await eventually(requests, lambda n: n == 1, what="the first attempt to arrive")
        # The instance stopped mid-attempt. Another takes over once the lease has run out
        # (made to run out now rather than waiting for it).
        async with running_service(create_care_team, CareTeamSettings, infra, **shared) as two:
            await two.runtime.pool.execute("UPDATE webhook_subscriptions SET lease_until = now()")
            found = await eventually(
                lambda: deliveries(two, clinician, subscription_id),
                lambda d: statuses(d) == {notification_id: "delivered"},
                what="the delivery made again by the other instance",
            )
        release.set()
    (attempts,) = (d["attempts"] for d in found)
    assert [(a["attempt"], a["status_code"]) for a in attempts] == [(1, None), (2, 200)]
    assert attempts[0]["error"].startswith("interrupted")
    assert [r.attempt for r in receiver.requests] == [1, 2]
    assert receiver.accepted_ids() == [notification_id]
