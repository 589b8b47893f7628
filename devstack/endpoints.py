"""Kafka and PostgreSQL for a test run or a benchmark: the environment's, else our own.

    with environment_or_devstack("bench") as endpoints:
        endpoints.kafka_bootstrap_servers, endpoints.database_url

Shared by the test suite (tests/support/infrastructure.py, which tries Docker in
between) and `make bench`, so both find or start the infrastructure the same way.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoints:
    kafka_bootstrap_servers: str
    database_url: str
    how: str  # "environment", "devstack" or "testcontainers": reported with the results


def from_environment() -> Endpoints | None:
    """Both KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL set: use them as they are."""
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    database = os.environ.get("DATABASE_URL")
    return Endpoints(kafka, database, "environment") if kafka and database else None


@contextmanager
def environment_or_devstack(instance: str) -> Iterator[Endpoints]:
    """The environment's endpoints; else devstack starts them as `instance` (and stops
    them on exit). A lone DATABASE_URL is honoured: devstack then starts only Kafka."""
    given = from_environment()
    if given is not None:
        yield given
        return
    from devstack.infra import start_infra

    with start_infra(instance=instance) as infra:
        yield Endpoints(infra.kafka_bootstrap_servers, infra.database_url, "devstack")
