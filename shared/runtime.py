"""What every service runs besides its HTTP routes: pool, migrations, topics,
broker (subscribers), dead-letter producer and outbox relay, started and
stopped in order by the app's lifespan."""

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Literal, TypedDict

import asyncpg
from faststream.kafka import KafkaBroker

from shared.db import create_pool
from shared.dead_letters import DeadLetterPublisher, RetryPolicy
from shared.events.registry import dead_letter_topic
from shared.kafka import create_broker, ensure_topics, kafka_reachable
from shared.migrations import Migration, apply_migrations
from shared.outbox_relay import AfterPublish, OutboxRelay
from shared.settings import ServiceSettings

log = logging.getLogger(__name__)


class GroupMembership(TypedDict):
    """A subscriber's consumer-group options (`broker.subscriber(topic, **membership)`)."""

    group_id: str
    auto_offset_reset: Literal["earliest"]
    heartbeat_interval_ms: int


class ServiceRuntime:
    def __init__(
        self,
        settings: ServiceSettings,
        *,
        migrations: list[Migration],
        consumes: Sequence[str] = (),
        produces: Sequence[str] = (),
        relay_after_publish: AfterPublish | None = None,
    ) -> None:
        self.settings = settings
        # Service-specific loops (e.g. scheduled re-evaluations), run while the service runs.
        self.background: list[Callable[[], Coroutine[Any, Any, None]]] = []
        self.migrations = migrations
        self.consumed_topics = [settings.topic(t) for t in consumes]
        self.produced_topics = [settings.topic(t) for t in produces]
        client_id = f"carecoord-{settings.service_name}"
        self.dead_letters = DeadLetterPublisher(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            client_id=client_id,
            consumer_group=settings.kafka_consumer_group,
        )
        self.retry_policy = RetryPolicy(
            max_attempts=settings.consumer_max_attempts,
            backoff_s=settings.consumer_retry_backoff_s,
            backoff_max_s=settings.consumer_retry_backoff_max_s,
        )
        self.broker: KafkaBroker = create_broker(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            client_id=client_id,
            dead_letters=self.dead_letters,
            retry_policy=self.retry_policy,
        )
        self.relay = OutboxRelay.of_service(
            settings, client_id=client_id, after_publish=relay_after_publish
        )
        self._pool: asyncpg.Pool | None = None
        self._stack = contextlib.AsyncExitStack()

    def document_publisher(self, topic: str, schema: type[Any], description: str) -> None:
        """List an event this service publishes (through its outbox) in its AsyncAPI document."""
        self.broker.publisher(
            self.settings.topic(topic),
            schema=schema,
            title=f"{self.settings.service_name}:{schema.__name__}",
            description=description,
        )

    def consumer_group(self, subscription: str) -> str:
        """One consumer group per subscription: subscribers of different topics in one group
        would make every start a rebalance of all of them."""
        return f"{self.settings.kafka_consumer_group}.{subscription}"

    def group_member(self, subscription: str) -> GroupMembership:
        """How a subscriber joins its subscription's group. A new group starts from the
        earliest offset (it must not skip what came before it). Members learn of a
        rebalance at their next heartbeat, so the interval is what a join or a leave
        (every start, every scale-out) keeps the whole group waiting."""
        return GroupMembership(
            group_id=self.consumer_group(subscription),
            auto_offset_reset="earliest",
            heartbeat_interval_ms=self.settings.kafka_heartbeat_interval_ms,
        )

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError(f"{self.settings.service_name} is not started")
        return self._pool

    async def start(self) -> None:
        s = self.settings
        try:
            applied = await apply_migrations(s.database_url, s.db_schema, self.migrations)
            if applied:
                log.info("migrations applied", extra={"schema": s.db_schema, "applied": applied})
            self._pool = await create_pool(
                s.database_url,
                schema=s.db_schema,
                application_name=f"carecoord-{s.service_name}",
                min_size=s.db_pool_min_size,
                max_size=s.db_pool_max_size,
            )
            self._stack.push_async_callback(self._close_pool)
            topics = [
                *self.consumed_topics,
                *(dead_letter_topic(t) for t in self.consumed_topics),
                *self.produced_topics,
            ]
            await ensure_topics(
                s.kafka_bootstrap_servers, topics, partitions=s.kafka_topic_partitions
            )
            await self.dead_letters.start()
            self._stack.push_async_callback(self.dead_letters.stop)
            await self.broker.start()
            self._stack.push_async_callback(self.broker.stop)
            if s.outbox_relay_in_process:
                relay_task = asyncio.create_task(
                    self.relay.run(), name=f"{s.service_name}-outbox-relay"
                )
                self._stack.push_async_callback(_cancel, relay_task)
            for loop in self.background:
                task = asyncio.create_task(loop(), name=f"{s.service_name}-{loop.__name__}")
                self._stack.push_async_callback(_cancel, task)
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        await self._stack.aclose()

    async def readiness(self) -> dict[str, bool]:
        return {
            "database": await self._database_reachable(),
            "kafka": await self._kafka_reachable(),
        }

    async def _database_reachable(self) -> bool:
        if self._pool is None:
            return False
        try:
            async with asyncio.timeout(3):
                return bool(await self._pool.fetchval("SELECT 1"))
        except Exception:
            return False

    async def _kafka_reachable(self) -> bool:
        return await kafka_reachable(self.settings.kafka_bootstrap_servers)

    async def _close_pool(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


async def _cancel(task: "asyncio.Task[None]") -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
