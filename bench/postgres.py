"""The PostgreSQL a standalone benchmark script runs against: DATABASE_URL, else our own."""

import os
from collections.abc import Iterator
from contextlib import contextmanager

from devstack.endpoints import environment_or_devstack


@contextmanager
def bench_database() -> Iterator[str]:
    """DATABASE_URL when set; else devstack's instance "bench", stopped afterwards."""
    given = os.environ.get("DATABASE_URL")
    if given:
        yield given
        return
    print("starting PostgreSQL (and Kafka) for the benchmark: devstack instance 'bench' ...")
    with environment_or_devstack("bench") as endpoints:
        yield endpoints.database_url
