"""Public API: start Kafka and PostgreSQL for an instance and stop them again.

with start_infra("test") as infra:
    os.environ.update(infra.env)  # KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL
    ...
"""

from __future__ import annotations

import asyncio
import os

from devstack.handles import ChildrenHandle
from devstack.kafka_broker import DEFAULT_HEAP, find_java, start_kafka, wait_kafka_ready
from devstack.kafka_jars import ensure_kafka_libs
from devstack.ownership import (
    InstanceClaim,
    claim_instance,
    mark_ready,
    record_child,
    update_state,
)
from devstack.paths import run_dir
from devstack.pg_server import database_url as pg_url
from devstack.pg_server import start_postgres, wait_external_ready, wait_postgres_ready
from devstack.ports import HOST, pick_port, port_is_free
from devstack.processes import Child
from devstack.readiness import run_sync
from devstack.state import ComponentRecord, State

DEFAULT_TIMEOUT = 120.0


class Infra(ChildrenHandle):
    """Running Kafka (+ PostgreSQL unless an external DATABASE_URL is used)."""

    def __init__(self, instance: str, claim: InstanceClaim) -> None:
        super().__init__(instance, claim)
        self.kafka_bootstrap_servers = ""
        self.database_url = ""

    @property
    def env(self) -> dict[str, str]:
        """The variables the services and tests read."""
        return {
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap_servers,
            "DATABASE_URL": self.database_url,
        }


def start_infra(
    instance: str = "test",
    kafka_port: int | None = None,
    kafka_controller_port: int | None = None,
    pg_port: int | None = None,
    *,
    database_url: str | None = None,
    kafka_heap: str | None = None,
    fresh: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
) -> Infra:
    """Start Kafka and PostgreSQL for ``instance`` and wait until both answer.

    Ports left as None are picked free. ``database_url`` (default: the
    ``DATABASE_URL`` environment variable) means "use that server, start no
    PostgreSQL". ``fresh`` wipes the instance's Kafka and PostgreSQL data
    first. Raises DevstackError (after stopping whatever it started).
    """
    return start_infra_as(
        "library",
        instance,
        kafka_port,
        kafka_controller_port,
        pg_port,
        database_url=database_url,
        kafka_heap=kafka_heap,
        fresh=fresh,
        timeout=timeout,
    )


def start_infra_as(
    owner_kind: str,
    instance: str,
    kafka_port: int | None,
    kafka_controller_port: int | None,
    pg_port: int | None,
    *,
    database_url: str | None,
    kafka_heap: str | None,
    fresh: bool,
    timeout: float,
) -> Infra:
    """start_infra, recording who owns the instance (the CLI passes "cli")."""
    claim = claim_instance(instance, owner_kind)
    infra = Infra(instance, claim)
    try:
        _start(
            infra,
            kafka_port=kafka_port,
            controller_port=kafka_controller_port,
            pg_port=pg_port,
            database_url=database_url,
            kafka_heap=kafka_heap,
            fresh=fresh,
            timeout=timeout,
        )
    except BaseException:
        infra.stop()
        raise
    if owner_kind == "library":
        mark_ready(instance)
    return infra


def _start(
    infra: Infra,
    *,
    kafka_port: int | None,
    controller_port: int | None,
    pg_port: int | None,
    database_url: str | None,
    kafka_heap: str | None,
    fresh: bool,
    timeout: float,
) -> None:
    instance = infra.instance
    # Missing java or jars should fail before anything is started.
    java = find_java()
    ensure_kafka_libs()
    external_db = database_url or os.environ.get("DATABASE_URL") or None
    broker = pick_port(kafka_port, "Kafka", "set DEVSTACK_KAFKA_PORT or stop the other broker")
    controller = pick_port(controller_port, "the Kafka controller")
    bootstrap = f"{HOST}:{broker}"
    pg_child: Child | None = None
    pg = 0
    if external_db is None:
        pg = pick_port(pg_port or _previous_pg_port(instance), "PostgreSQL", "set DEVSTACK_PG_PORT")
        pg_child = start_postgres(instance, pg, fresh=fresh)
        infra.children.append(pg_child)
        record_child(instance, pg_child, pg_url(pg), {"port": pg})
        (run_dir(instance) / "pg-port").write_text(f"{pg}\n")
    kafka_child = start_kafka(
        instance,
        broker,
        controller,
        heap=kafka_heap or os.environ.get("DEVSTACK_KAFKA_HEAP") or DEFAULT_HEAP,
        fresh=fresh,
        java=java,
    )
    infra.children.append(kafka_child)
    record_child(instance, kafka_child, bootstrap, {"broker": broker, "controller": controller})

    async def wait_both() -> str:
        kafka_ready = wait_kafka_ready(bootstrap, kafka_child, limit=timeout)
        if pg_child is None:
            assert external_db is not None
            await asyncio.gather(
                kafka_ready, wait_external_ready(external_db, limit=min(timeout, 30))
            )
            return external_db
        _, url = await asyncio.gather(kafka_ready, wait_postgres_ready(pg, pg_child, limit=timeout))
        return url

    infra.database_url = run_sync(wait_both)
    infra.kafka_bootstrap_servers = bootstrap

    def publish(state: State) -> None:
        state["env"].update(infra.env)
        if pg_child is None:
            state["components"]["postgres"] = ComponentRecord(
                pid=None, start_time=0, stop_signal=0, url="(external DATABASE_URL)",
                ports={}, log=None,
            )  # fmt: skip

    update_state(instance, publish)


def _previous_pg_port(instance: str) -> int | None:
    """Reuse last run's port when free, so a developer's DATABASE_URL stays valid."""
    try:
        port = int((run_dir(instance) / "pg-port").read_text())
    except (OSError, ValueError):
        return None
    return port if port_is_free(port) else None
