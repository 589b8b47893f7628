"""The FastStream broker every service uses, and explicit topic creation."""

import logging
from collections.abc import Iterable
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.message import StreamMessage

from shared.dead_letters import DeadLetterPublisher, RetryPolicy, dead_letter_middleware
from shared.events.envelope import decode_json_body

log = logging.getLogger(__name__)


def decode_cloudevent(message: StreamMessage[Any]) -> Any:
    # Structured-mode CloudEvents carry `application/cloudevents+json`, which
    # FastStream's default decoder leaves as bytes; decode strictly instead.
    if isinstance(message.body, list):
        # A batch: its subscriber decodes each record itself (shared.batch_inbox), so that
        # one poison record does not fail the others.
        return message.body
    return decode_json_body(message.body)


def create_broker(
    *,
    bootstrap_servers: str,
    client_id: str,
    dead_letters: DeadLetterPublisher,
    retry_policy: RetryPolicy,
) -> KafkaBroker:
    return KafkaBroker(
        bootstrap_servers,
        client_id=client_id,
        enable_idempotence=True,
        # Commit offsets only after the handler (and its database transaction) returned.
        ack_policy=AckPolicy.ACK,
        # Topics are created explicitly, with partition counts (see ensure_topics).
        allow_auto_create_topics=False,
        decoder=decode_cloudevent,
        middlewares=[dead_letter_middleware(dead_letters, retry_policy)],
        logger=logging.getLogger(f"carecoord.{client_id}.broker"),
        log_level=logging.DEBUG,
    )


async def ensure_topics(
    bootstrap_servers: str, topics: Iterable[str], *, partitions: int, replication_factor: int = 1
) -> list[str]:
    """Create the topics that do not exist yet; return the ones created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="carecoord-admin")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = sorted(set(topics) - existing)
        if missing:
            response = await admin.create_topics(
                [NewTopic(t, partitions, replication_factor) for t in missing]
            )
            for topic, code, *_ in getattr(response, "topic_errors", ()):
                if code not in (0, TopicAlreadyExistsError.errno):
                    raise RuntimeError(f"could not create topic {topic}: error code {code}")
        return missing
    finally:
        await admin.close()


async def kafka_reachable(bootstrap_servers: str, *, timeout_s: float = 3.0) -> bool:
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap_servers,
        client_id="carecoord-ready",
        request_timeout_ms=int(timeout_s * 1000),
    )
    try:
        await admin.start()
        await admin.describe_cluster()
        return True
    except Exception:
        return False
    finally:
        await admin.close()
