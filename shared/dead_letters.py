"""Dead letters and retries for every subscriber of a service's broker.

A broker middleware sees both parse failures and handler failures:
- a message that cannot be decoded or validated goes to `<topic>.dlq` at once;
- an infrastructure failure (database or Kafka unreachable) is retried with
  capped exponential backoff until it succeeds, because the message is fine and
  dead-lettering during an outage would lose every event of that outage;
- any other failure is retried `max_attempts` times, then dead-lettered.
The original bytes, key and headers are kept; the reason, source position and
consumer group travel in `x-dlq-*` headers. The offset is committed only once
the dead letter is acknowledged, so the partition moves on without losing it.
"""

import asyncio
import json
import logging
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import asyncpg
import pydantic
from aiokafka import AIOKafkaProducer, ConsumerRecord
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError
from fast_depends.exceptions import ValidationError as DependencyValidationError
from faststream import BaseMiddleware
from faststream._internal.context.repository import ContextRepo
from faststream.exceptions import HandlerException, NackMessage

from shared.events.registry import dead_letter_topic

log = logging.getLogger(__name__)


class InvalidEvent(ValueError):
    """Raised by a handler for a well-formed event it must never apply (a poison message)."""


POISON_ERRORS = (
    json.JSONDecodeError,
    UnicodeDecodeError,
    pydantic.ValidationError,
    DependencyValidationError,
    InvalidEvent,
)
INFRASTRUCTURE_ERRORS = (
    asyncpg.PostgresConnectionError,
    asyncpg.TooManyConnectionsError,
    asyncpg.CannotConnectNowError,
    asyncpg.DeadlockDetectedError,
    asyncpg.SerializationError,
    KafkaConnectionError,
    KafkaTimeoutError,
    ConnectionError,
    TimeoutError,
)


def describe_failure(exc: BaseException) -> str:
    """A reason for the dead letter: field paths and messages, never the field values."""
    if isinstance(exc, DependencyValidationError) and isinstance(
        exc.original_error, pydantic.ValidationError
    ):
        exc = exc.original_error
    if isinstance(exc, pydantic.ValidationError):
        parts = [
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}"
            for err in exc.errors(include_input=False, include_url=False)
        ]
        return "schema validation failed: " + "; ".join(parts)[:900]
    if isinstance(exc, json.JSONDecodeError):
        return f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8: {exc.reason} at byte {exc.start}"
    return f"{type(exc).__name__}: {exc}"[:900]


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    backoff_s: float = 0.2
    backoff_max_s: float = 30.0

    def delay(self, attempt: int) -> float:
        return float(min(self.backoff_s * 2.0 ** max(attempt - 1, 0), self.backoff_max_s))


class DeadLetterPublisher:
    """Copies a failed record to its `.dlq` topic with the reason in headers."""

    def __init__(self, *, bootstrap_servers: str, client_id: str, consumer_group: str) -> None:
        self._bootstrap_servers = bootstrap_servers
        self._client_id = f"{client_id}-dlq"
        self._consumer_group = consumer_group
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        # aiokafka clients must be created inside the running loop.
        self._producer = AIOKafkaProducer(
            bootstrap_servers=self._bootstrap_servers,
            client_id=self._client_id,
            enable_idempotence=True,
        )
        await self._producer.start()

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def publish(
        self,
        record: "ConsumerRecord[Any, Any]",
        *,
        reason: str,
        error: BaseException,
        attempts: int,
    ) -> None:
        headers = [
            *(record.headers or ()),
            ("x-dlq-reason", reason.encode()),
            ("x-dlq-error-type", type(error).__name__.encode()),
            ("x-dlq-attempts", str(attempts).encode()),
            ("x-dlq-source-topic", record.topic.encode()),
            ("x-dlq-source-partition", str(record.partition).encode()),
            ("x-dlq-source-offset", str(record.offset).encode()),
            # The service's consumer group (each subscription's group starts with it).
            ("x-dlq-consumer-group", self._consumer_group.encode()),
        ]
        if self._producer is None:
            raise RuntimeError("dead-letter publisher is not started")
        await self._producer.send_and_wait(
            dead_letter_topic(record.topic), value=record.value, key=record.key, headers=headers
        )


@dataclass
class _Attempts:
    by_position: dict[tuple[str, int, int], int] = field(default_factory=dict)

    def failed(self, position: tuple[str, int, int]) -> int:
        self.by_position[position] = self.by_position.get(position, 0) + 1
        return self.by_position[position]

    def forget(self, position: tuple[str, int, int]) -> None:
        self.by_position.pop(position, None)


def dead_letter_middleware(
    publisher: DeadLetterPublisher, policy: RetryPolicy
) -> type[BaseMiddleware]:
    attempts = _Attempts()

    class DeadLetterMiddleware(BaseMiddleware):
        def __init__(self, msg: Any, /, *, context: ContextRepo) -> None:
            super().__init__(msg, context=context)

        async def after_processed(
            self,
            exc_type: type[BaseException] | None = None,
            exc_val: BaseException | None = None,
            exc_tb: TracebackType | None = None,
        ) -> bool:
            record = self.msg
            if not isinstance(record, ConsumerRecord):  # batch subscribers handle their own
                return False
            position = (record.topic, record.partition, record.offset)
            if exc_val is None or not isinstance(exc_val, Exception):
                attempts.forget(position)
                return False
            if isinstance(exc_val, HandlerException):  # explicit ack/nack/reject: honour it
                return False
            count = attempts.failed(position)
            if isinstance(exc_val, POISON_ERRORS):
                reason = describe_failure(exc_val)
            elif isinstance(exc_val, INFRASTRUCTURE_ERRORS) or count < policy.max_attempts:
                log.warning(
                    "handler failed; will redeliver",
                    extra={
                        "topic": record.topic,
                        "partition": record.partition,
                        "offset": record.offset,
                        "attempt": count,
                        "error_type": type(exc_val).__name__,
                    },
                )
                await asyncio.sleep(policy.delay(count))
                raise NackMessage() from exc_val
            else:
                reason = f"failed {count} times; last error: {describe_failure(exc_val)}"
            try:
                await publisher.publish(record, reason=reason, error=exc_val, attempts=count)
            except Exception as dlq_error:
                log.error(
                    "dead-letter publish failed; will redeliver",
                    extra={"topic": record.topic, "error_type": type(dlq_error).__name__},
                )
                await asyncio.sleep(policy.delay(count))
                raise NackMessage() from dlq_error
            attempts.forget(position)
            log_dead_lettered(record, exc_val)
            return True  # handled: the subscriber commits the offset and moves on

    return DeadLetterMiddleware


def log_dead_lettered(record: "ConsumerRecord[Any, Any]", error: BaseException) -> None:
    log.warning(
        "message dead-lettered",
        extra={
            "topic": record.topic,
            "partition": record.partition,
            "offset": record.offset,
            "error_type": type(error).__name__,
        },
    )
