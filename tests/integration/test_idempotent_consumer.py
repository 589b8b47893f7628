import json

from shared.events.envelope import encode_event
from shared.events.registry import dead_letter_topic
from tests.integration.conftest import Probe
from tests.support.ids import unique
from tests.support.kafka_probe import TopicProbe, header, publish_raw
from tests.support.probe_service import effects, probe_event
from tests.support.waiting import eventually


async def test_the_same_event_delivered_twice_has_one_effect(probe: Probe) -> None:
    event = probe_event("p-1", 1, event_id=unique("e-"))
    marker = probe_event("p-1", 2, event_id=unique("marker-"))
    await publish_raw(
        probe.settings.kafka_bootstrap_servers,
        probe.topic,
        [
            (b"p-1", encode_event(event)),
            (b"p-1", encode_event(event)),
            (b"p-1", encode_event(marker)),
        ],
    )
    await eventually(
        lambda: effects(probe.runtime, event_id=marker.id), lambda rows: len(rows) == 1
    )
    assert len(await effects(probe.runtime, event_id=event.id)) == 1
    assert probe.attempts[event.id] == 1  # the duplicate never reached the effect


async def test_an_event_whose_transaction_failed_is_redelivered_then_applied(probe: Probe) -> None:
    event = probe_event("p-1", 1, event_id=unique("e-"), fail_times=2)
    await publish_raw(
        probe.settings.kafka_bootstrap_servers, probe.topic, [(b"p-1", encode_event(event))]
    )
    rows = await eventually(
        lambda: effects(probe.runtime, event_id=event.id), lambda rows: len(rows) > 0
    )
    assert len(rows) == 1  # the failed attempts' effect rows were rolled back
    assert probe.attempts[event.id] == 3


async def test_malformed_and_invalid_messages_go_to_the_dlq_and_the_partition_moves_on(
    probe: Probe,
) -> None:
    good = probe_event("p-1", 3, event_id=unique("good-"))
    invalid = json.loads(encode_event(probe_event("p-1", 2, event_id=unique("bad-"))))
    invalid["data"]["seq"] = -1
    del invalid["source"]
    await publish_raw(
        probe.settings.kafka_bootstrap_servers,
        probe.topic,
        [
            (b"p-1", b'{"specversion": "1.0", "id": '),
            (b"p-1", json.dumps(invalid).encode()),
            (b"p-1", encode_event(good)),
        ],
    )
    await eventually(lambda: effects(probe.runtime, event_id=good.id), lambda rows: len(rows) == 1)
    dlq = dead_letter_topic(probe.topic)
    async with TopicProbe(probe.settings.kafka_bootstrap_servers, dlq) as topic:
        records = await topic.wait_for(lambda rs: len(rs) >= 2, what="two dead letters")
    malformed, schema_invalid = sorted(
        records, key=lambda r: int(header(r, "x-dlq-source-offset") or 0)
    )
    assert (header(malformed, "x-dlq-reason") or "").startswith("malformed JSON")
    reason = header(schema_invalid, "x-dlq-reason") or ""
    assert reason.startswith("schema validation failed")
    assert "source: Field required" in reason and "data.seq" in reason
    assert schema_invalid.value == json.dumps(invalid).encode()  # original bytes kept
    assert schema_invalid.key == b"p-1"
    for record in (malformed, schema_invalid):
        assert header(record, "x-dlq-source-topic") == probe.topic
        assert header(record, "x-dlq-consumer-group") == probe.settings.kafka_consumer_group
        assert header(record, "content-type") == "application/cloudevents+json"
    assert await effects(probe.runtime, patient_id="p-1") == [
        {"event_id": good.id, "patient_id": "p-1", "seq": 3}
    ]


async def test_a_message_that_keeps_failing_is_dead_lettered_after_bounded_tries(
    probe: Probe,
) -> None:
    doomed = probe_event("p-1", 1, event_id=unique("doomed-"), fail_times=1000)
    after = probe_event("p-1", 2, event_id=unique("after-"))
    await publish_raw(
        probe.settings.kafka_bootstrap_servers,
        probe.topic,
        [(b"p-1", encode_event(doomed)), (b"p-1", encode_event(after))],
    )
    await eventually(lambda: effects(probe.runtime, event_id=after.id), lambda rows: len(rows) == 1)
    assert probe.attempts[doomed.id] == probe.settings.consumer_max_attempts
    assert await effects(probe.runtime, event_id=doomed.id) == []
    async with TopicProbe(
        probe.settings.kafka_bootstrap_servers, dead_letter_topic(probe.topic)
    ) as t:
        [record] = await t.wait_for(lambda rs: len(rs) >= 1)
    assert header(record, "x-dlq-reason") == (
        "failed 3 times; last error: InjectedFailure: injected failure after the effect was written"
    )
    assert header(record, "x-dlq-attempts") == "3"


async def test_one_patients_events_are_applied_in_order(probe: Probe) -> None:
    patient = unique("p-")
    events = [probe_event(patient, seq, event_id=unique("e-")) for seq in range(100)]
    await probe.stage(*events)  # through the outbox and relay, as the services publish
    rows = await eventually(
        lambda: effects(probe.runtime, patient_id=patient), lambda rows: len(rows) == 100
    )
    assert [row["seq"] for row in rows] == list(range(100))
