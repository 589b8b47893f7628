"""The batch consumer (shared.batch_inbox) on real Kafka and PostgreSQL: a batch per
transaction, poison isolated inside a batch, and a half-applied batch redelivered."""

import json

from shared.events.envelope import encode_event
from shared.events.registry import dead_letter_topic
from tests.integration.conftest import Probe
from tests.support.ids import unique
from tests.support.kafka_probe import TopicProbe, header, publish_raw
from tests.support.probe_service import effects, probe_event
from tests.support.waiting import eventually


async def test_a_batch_applies_every_event_once_in_order_and_skips_duplicates(
    batch_probe: Probe,
) -> None:
    patient = unique("p-")
    events = [probe_event(patient, seq, event_id=unique("e-")) for seq in range(200)]
    values = [encode_event(e) for e in events]
    # Twice in one go (the same ids in one batch) and the first ten again after.
    messages = [(patient.encode(), v) for v in values[:100] + values[:100] + values[100:]]
    messages += [(patient.encode(), v) for v in values[:10]]
    await publish_raw(batch_probe.settings.kafka_bootstrap_servers, batch_probe.topic, messages)
    rows = await eventually(
        lambda: effects(batch_probe.runtime, patient_id=patient), lambda rows: len(rows) >= 200
    )
    assert [row["seq"] for row in rows] == list(range(200))
    assert set(batch_probe.attempts.values()) == {1}


async def test_poison_inside_a_batch_is_dead_lettered_and_the_rest_applied(
    batch_probe: Probe,
) -> None:
    patient = unique("p-")
    first = probe_event(patient, 1, event_id=unique("first-"))
    doomed = probe_event(patient, 3, event_id=unique("doomed-"), fail_times=1000)
    last = probe_event(patient, 4, event_id=unique("last-"))
    invalid = json.loads(encode_event(probe_event(patient, 2, event_id=unique("bad-"))))
    invalid["data"]["seq"] = -1
    key = patient.encode()
    await publish_raw(
        batch_probe.settings.kafka_bootstrap_servers,
        batch_probe.topic,
        [
            (key, encode_event(first)),
            (key, b'{"specversion": "1.0", "id": '),
            (key, json.dumps(invalid).encode()),
            (key, encode_event(doomed)),
            (key, encode_event(last)),
        ],
    )
    rows = await eventually(
        lambda: effects(batch_probe.runtime, patient_id=patient), lambda rows: len(rows) >= 2
    )
    assert [row["event_id"] for row in rows] == [first.id, last.id]
    async with TopicProbe(
        batch_probe.settings.kafka_bootstrap_servers, dead_letter_topic(batch_probe.topic)
    ) as dlq:
        records = await dlq.wait_for(lambda rs: len(rs) >= 3, what="three dead letters")
    by_offset = sorted(records, key=lambda r: int(header(r, "x-dlq-source-offset") or 0))
    reasons = [header(r, "x-dlq-reason") or "" for r in by_offset]
    assert reasons[0].startswith("malformed JSON")
    assert reasons[1].startswith("schema validation failed") and "data.seq" in reasons[1]
    assert reasons[2] == (
        "failed 3 times; last error: InjectedFailure: injected failure after the effect was written"
    )
    assert by_offset[1].value == json.dumps(invalid).encode()  # original bytes kept
    assert batch_probe.attempts[doomed.id] == 1 + batch_probe.settings.consumer_max_attempts
    assert await effects(batch_probe.runtime, event_id=doomed.id) == []


async def test_a_half_applied_batch_redelivered_after_an_outage_applies_nothing_twice(
    batch_probe: Probe,
) -> None:
    patient = unique("p-")
    applied_alone = probe_event(patient, 1, event_id=unique("a-"))
    # Fails the batch's transaction once, so the batch is applied one event at a time...
    flaky = probe_event(patient, 2, event_id=unique("flaky-"), fail_times=1)
    # ...until this one meets an outage: the batch comes back from its first offset.
    outage = probe_event(patient, 3, event_id=unique("outage-"), outage_times=1)
    after = probe_event(patient, 4, event_id=unique("after-"))
    events = [applied_alone, flaky, outage, after]
    await publish_raw(
        batch_probe.settings.kafka_bootstrap_servers,
        batch_probe.topic,
        [(patient.encode(), encode_event(e)) for e in events],
    )
    rows = await eventually(
        lambda: effects(batch_probe.runtime, patient_id=patient), lambda rows: len(rows) >= 4
    )
    # Each effect committed once: the redelivered batch re-applied none of them.
    assert [row["seq"] for row in rows] == [1, 2, 3, 4]
    assert batch_probe.attempts[flaky.id] == 2
    assert batch_probe.attempts[outage.id] == 2
