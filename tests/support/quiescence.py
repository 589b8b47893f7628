"""When a set of running services has nothing left to do: every outbox is empty and every
consumer group has committed up to the end of each topic it reads. Events are only produced
by requests or in reaction to consumed events, so once that holds (with no request running)
nothing more will happen: a test can then say "exactly these, no more" without a sleep."""

from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from tests.support.services import RunningService


async def _committed_to_the_end(bootstrap_servers: str, groups: dict[str, list[str]]) -> bool:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=None)
    await admin.start()
    await consumer.start()
    try:
        # (aiokafka keeps this snapshot apart from the consumer's own, subscription-only one)
        cluster = await consumer._client.fetch_all_metadata()
        for group, topics in groups.items():
            committed = await admin.list_consumer_group_offsets(group)
            partitions = [
                TopicPartition(topic, p)
                for topic in topics
                for p in sorted(cluster.partitions_for_topic(topic) or ())
            ]
            if not partitions:
                return False
            ends = await consumer.end_offsets(partitions)
            for tp, end in ends.items():
                done = committed[tp].offset if tp in committed else 0
                if done < end:
                    return False
        return True
    finally:
        await consumer.stop()
        await admin.close()


async def settled(*services: RunningService) -> bool:
    for service in services:
        if await service.runtime.pool.fetchval("SELECT count(*) FROM outbox"):
            return False
    groups: dict[str, list[str]] = {}
    for service in services:
        for subscriber in service.runtime.broker.subscribers:
            kafka_subscriber: Any = subscriber  # the Kafka subscriber has both; the base type not
            groups.setdefault(str(kafka_subscriber.group_id), []).extend(
                kafka_subscriber.topic_names
            )
    return await _committed_to_the_end(services[0].settings.kafka_bootstrap_servers, groups)
