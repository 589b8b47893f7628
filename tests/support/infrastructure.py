"""Where the tests find Kafka and PostgreSQL, in this order:

1. `KAFKA_BOOTSTRAP_SERVERS` and `DATABASE_URL` in the environment: use them.
2. A Docker engine that answers a ping: testcontainers (apache/kafka, postgres).
3. Otherwise the project's own launcher (devstack) starts both locally.
"""

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager

from devstack.endpoints import Endpoints, environment_or_devstack, from_environment

__all__ = ["Endpoints", "docker_answers", "test_infrastructure"]

KAFKA_IMAGE = "apache/kafka:4.4.0"
POSTGRES_IMAGE = "postgres:16"


def docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
        return True
    except Exception:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def _containers() -> Iterator[Endpoints]:
    from testcontainers.community.postgres import PostgresContainer
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.waiting_utils import wait_for_logs

    # The advertised listener must name the host port, so bind a known free one.
    kafka_port = _free_port()
    kafka = (
        DockerContainer(KAFKA_IMAGE)
        .with_bind_ports(9092, kafka_port)
        .with_envs(
            KAFKA_NODE_ID="1",
            KAFKA_PROCESS_ROLES="broker,controller",
            KAFKA_LISTENERS="PLAINTEXT://:9092,CONTROLLER://:9093",
            KAFKA_ADVERTISED_LISTENERS=f"PLAINTEXT://localhost:{kafka_port}",
            KAFKA_CONTROLLER_LISTENER_NAMES="CONTROLLER",
            KAFKA_LISTENER_SECURITY_PROTOCOL_MAP="CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            KAFKA_CONTROLLER_QUORUM_VOTERS="1@localhost:9093",
            KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR="1",
            KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR="1",
            KAFKA_TRANSACTION_STATE_LOG_MIN_ISR="1",
            KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR="1",
            KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR="1",
            KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS="0",
            KAFKA_NUM_PARTITIONS="3",
            KAFKA_AUTO_CREATE_TOPICS_ENABLE="false",
        )
    )
    postgres = PostgresContainer(POSTGRES_IMAGE, driver=None)
    with kafka, postgres:
        wait_for_logs(kafka, "Kafka Server started", timeout=120)
        yield Endpoints(
            kafka_bootstrap_servers=f"localhost:{kafka_port}",
            database_url=postgres.get_connection_url(driver=None),
            how="testcontainers",
        )


@contextmanager
def test_infrastructure() -> Iterator[Endpoints]:
    given = from_environment()
    if given is not None:
        yield given
        return
    if docker_answers() and not (
        os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or os.environ.get("DATABASE_URL")
    ):
        with _containers() as endpoints:
            yield endpoints
        return
    with environment_or_devstack("test") as endpoints:
        yield endpoints
