"""The PostgreSQL a benchmark runs against: DATABASE_URL, else the project's own."""

import os
from collections.abc import Iterator
from contextlib import contextmanager

from devstack.infra import start_infra


@contextmanager
def bench_database() -> Iterator[str]:
    """DATABASE_URL when set; else devstack's instance "bench", stopped afterwards."""
    given = os.environ.get("DATABASE_URL")
    if given:
        yield given
        return
    print("starting PostgreSQL (and Kafka) for the benchmark: devstack instance 'bench' ...")
    infra = start_infra("bench")
    try:
        yield infra.database_url
    finally:
        infra.stop()
