"""Per-test settings: a unique schema, topic namespace and consumer group on the shared infra."""

from typing import Any, TypeVar

from shared.settings import DEV_JWT_SECRET, ServiceSettings
from tests.support.ids import unique
from tests.support.infrastructure import Endpoints

S = TypeVar("S", bound=ServiceSettings)


def isolated_settings(cls: type[S], infra: Endpoints, **overrides: Any) -> S:
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": infra.database_url,
        "kafka_bootstrap_servers": infra.kafka_bootstrap_servers,
        "db_schema": unique(f"{cls.service_name}_"),
        "kafka_topic_prefix": unique("t") + ".",
        "kafka_consumer_group": unique("g"),
        "jwt_secret": DEV_JWT_SECRET,
        "consumer_retry_backoff_s": 0.05,
        "consumer_retry_backoff_max_s": 0.5,
        "db_pool_min_size": 1,
        "db_pool_max_size": 4,
    }
    values.update(overrides)
    return cls(**values)
