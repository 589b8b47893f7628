"""Static checks of docker-compose.yml (no Docker engine needed).

The apache/kafka image replaces its whole default config as soon as one
KAFKA_* variable is set, so a missing key only shows up as a broker that
never gets a group coordinator. These tests pin the full single-node KRaft
config and the wiring of the three services.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"

# service name -> (module run by `python -m`, HTTP port, env prefix)
APP_SERVICES: dict[str, tuple[str, int, str]] = {
    "diary": ("services.diary", 8001, "DIARY"),
    "scheduling": ("services.scheduling", 8002, "SCHEDULING"),
    "care_team": ("services.care_team", 8003, "CARE_TEAM"),
}

REQUIRED_KRAFT_KEYS = (
    "KAFKA_NODE_ID",
    "KAFKA_PROCESS_ROLES",
    "KAFKA_LISTENERS",
    "KAFKA_ADVERTISED_LISTENERS",
    "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP",
    "KAFKA_CONTROLLER_QUORUM_VOTERS",
    "KAFKA_CONTROLLER_LISTENER_NAMES",
    "KAFKA_INTER_BROKER_LISTENER_NAME",
    "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
    "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
    "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR",
    "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR",
    "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR",
    "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS",
    "KAFKA_NUM_PARTITIONS",
    "KAFKA_AUTO_CREATE_TOPICS_ENABLE",
    "CLUSTER_ID",
)

SINGLE_NODE_ONES = (
    "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
    "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
    "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR",
    "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR",
    "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR",
)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "docker-compose.yml is not a mapping"
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = compose.get("services")
    assert isinstance(found, dict), "no services: section"
    return found


@pytest.fixture(scope="module")
def kafka_env(services: dict[str, dict[str, Any]]) -> dict[str, str]:
    return _env(services["kafka"])


def _env(service: dict[str, Any]) -> dict[str, str]:
    """The service's environment as strings, from either the map or the list form."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        return dict(item.split("=", 1) for item in raw)
    return {str(k): _scalar(v) for k, v in raw.items()}


def _scalar(value: object) -> str:
    if isinstance(value, bool):  # YAML `false` would turn into "False"
        return str(value).lower()
    return "" if value is None else str(value)


def _listeners(spec: str) -> dict[str, tuple[str, int]]:
    """'PLAINTEXT://kafka:19092,CONTROLLER://:9093' -> {name: (host, port)}."""
    parsed: dict[str, tuple[str, int]] = {}
    for item in spec.split(","):
        match = re.fullmatch(r"\s*([A-Z_]+)://([^:,]*):(\d+)\s*", item)
        assert match, f"listener {item!r} is not NAME://host:port"
        parsed[match[1]] = (match[2], int(match[3]))
    return parsed


def _protocol_map(spec: str) -> dict[str, str]:
    return dict(item.strip().split(":", 1) for item in spec.split(","))


def _published_ports(service: dict[str, Any]) -> dict[int, int]:
    """Published host port -> container port (short and long syntax)."""
    result: dict[int, int] = {}
    for entry in service.get("ports") or []:
        if isinstance(entry, dict):
            result[int(entry["published"])] = int(entry["target"])
        else:
            parts = str(entry).split("/")[0].split(":")
            assert len(parts) >= 2, f"port {entry!r} is not published on a fixed host port"
            result[int(parts[-2])] = int(parts[-1])
    return result


def _healthcheck_command(service: dict[str, Any]) -> str:
    check = service.get("healthcheck")
    assert isinstance(check, dict), "no healthcheck"
    assert not check.get("disable"), "healthcheck disabled"
    test = check.get("test")
    if isinstance(test, list):
        assert len(test) > 1, f"empty healthcheck command {test!r}"
        assert test[0] in {"CMD", "CMD-SHELL"}, f"bad healthcheck test {test!r}"
        return " ".join(str(part) for part in test[1:])
    assert isinstance(test, str), f"bad healthcheck test {test!r}"
    assert test.strip(), "empty healthcheck command"
    return test


# ---------------------------------------------------------------- Kafka


def test_kafka_is_the_official_apache_image_4x(
    services: dict[str, dict[str, Any]],
) -> None:
    image = services["kafka"]["image"]
    assert re.fullmatch(r"apache/kafka:4\.\d+\.\d+", image), image


def test_kafka_env_has_the_full_kraft_config(kafka_env: dict[str, str]) -> None:
    missing = [key for key in REQUIRED_KRAFT_KEYS if not kafka_env.get(key)]
    assert not missing, f"missing (the image drops its defaults): {missing}"

    roles = {role.strip() for role in kafka_env["KAFKA_PROCESS_ROLES"].split(",")}
    assert roles == {"broker", "controller"}
    for key in SINGLE_NODE_ONES:
        assert kafka_env[key] == "1", f"{key}={kafka_env[key]} on a single node"
    assert kafka_env["KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS"] == "0"
    assert kafka_env["KAFKA_NUM_PARTITIONS"] == "3"
    assert kafka_env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    # A KRaft cluster id is 16 bytes in URL-safe base64 without padding.
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", kafka_env["CLUSTER_ID"])


def test_kafka_listeners_and_controller_quorum(kafka_env: dict[str, str]) -> None:
    listeners = _listeners(kafka_env["KAFKA_LISTENERS"])
    advertised = _listeners(kafka_env["KAFKA_ADVERTISED_LISTENERS"])
    protocols = _protocol_map(kafka_env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"])
    controller = kafka_env["KAFKA_CONTROLLER_LISTENER_NAMES"]

    assert controller == "CONTROLLER"
    assert "CONTROLLER" in protocols
    assert set(listeners) <= set(protocols), "every listener needs a security protocol"
    assert listeners[controller][1] == 9093
    assert controller not in advertised, "static quorum: controller is not advertised"

    inter_broker = kafka_env["KAFKA_INTER_BROKER_LISTENER_NAME"]
    assert advertised[inter_broker] == ("kafka", 19092), "containers use kafka:19092"
    assert listeners[inter_broker][1] == 19092

    host_names = [name for name, addr in advertised.items() if addr == ("localhost", 9092)]
    assert host_names, "a listener must be advertised to the host as localhost:9092"
    assert listeners[host_names[0]][1] == 9092

    node_id = kafka_env["KAFKA_NODE_ID"]
    voter = re.fullmatch(r"(\d+)@([\w.-]+):(\d+)", kafka_env["KAFKA_CONTROLLER_QUORUM_VOTERS"])
    assert voter, kafka_env["KAFKA_CONTROLLER_QUORUM_VOTERS"]
    assert voter[1] == node_id
    assert int(voter[3]) == listeners[controller][1]


def test_kafka_publishes_the_host_listener_and_keeps_data(
    services: dict[str, dict[str, Any]], kafka_env: dict[str, str]
) -> None:
    kafka = services["kafka"]
    assert _published_ports(kafka).get(9092) == 9092
    volumes = [
        str(v) if not isinstance(v, dict) else f"{v['source']}:{v['target']}"
        for v in kafka.get("volumes") or []
    ]
    log_dirs = kafka_env.get("KAFKA_LOG_DIRS")
    assert log_dirs, "KAFKA_LOG_DIRS must point at the data volume"
    assert any(v.split(":")[1] == log_dirs and not v.startswith((".", "/")) for v in volumes), (
        volumes
    )


def test_kafka_healthcheck_asks_the_broker(services: dict[str, dict[str, Any]]) -> None:
    command = _healthcheck_command(services["kafka"])
    assert re.search(r"kafka-(broker-api-versions|topics)\.sh", command), command
    assert "--bootstrap-server" in command


# ----------------------------------------------------------- PostgreSQL


def test_postgres(services: dict[str, dict[str, Any]]) -> None:
    postgres = services["postgres"]
    assert postgres["image"] == "postgres:16"
    env = _env(postgres)
    assert env["POSTGRES_USER"] == env["POSTGRES_PASSWORD"] == env["POSTGRES_DB"] == "carecoord"
    assert _published_ports(postgres).get(5432) == 5432
    assert postgres.get("volumes"), "PostgreSQL data needs a volume"
    assert "pg_isready" in _healthcheck_command(postgres)


# ------------------------------------------------------------- services


def test_every_service_has_a_healthcheck(services: dict[str, dict[str, Any]]) -> None:
    assert {"kafka", "postgres", *APP_SERVICES} <= set(services)
    for name, service in services.items():
        assert _healthcheck_command(service), name


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_app_service_waits_for_healthy_kafka_and_postgres(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    depends_on = services[name].get("depends_on")
    assert isinstance(depends_on, dict), f"{name}: depends_on needs the long form with conditions"
    for dependency in ("kafka", "postgres"):
        assert depends_on.get(dependency, {}).get("condition") == "service_healthy", (
            name,
            dependency,
        )


def test_app_services_share_one_build(services: dict[str, dict[str, Any]]) -> None:
    builds = [services[name].get("build") for name in APP_SERVICES]
    assert builds[0], "the services are built from the repository's Dockerfile"
    assert all(build == builds[0] for build in builds), builds
    build = builds[0] if isinstance(builds[0], dict) else {"context": builds[0]}
    context = ROOT / str(build.get("context", "."))
    assert context.resolve() == ROOT
    assert (context / str(build.get("dockerfile", "Dockerfile"))).is_file()


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_app_service_command_port_env_and_ready_check(
    services: dict[str, dict[str, Any]], kafka_env: dict[str, str], name: str
) -> None:
    module, port, prefix = APP_SERVICES[name]
    service = services[name]
    command = service.get("command")
    command_text = command if isinstance(command, str) else " ".join(command or [])
    assert f"-m {module}" in command_text, command_text

    assert _published_ports(service) == {port: port}

    env = _env(service)
    assert env[f"{prefix}_HOST"] == "0.0.0.0", "inside a container the service must bind 0.0.0.0"
    assert env[f"{prefix}_PORT"] == str(port)
    advertised = _listeners(kafka_env["KAFKA_ADVERTISED_LISTENERS"])
    host, kafka_port = advertised[kafka_env["KAFKA_INTER_BROKER_LISTENER_NAME"]]
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == f"{host}:{kafka_port}"
    assert env["DATABASE_URL"] == "postgresql://carecoord:carecoord@postgres:5432/carecoord"
    assert env["JWT_SECRET"].startswith("${JWT_SECRET:-"), "secret must be overridable"

    health = _healthcheck_command(service)
    assert f":{port}/ready" in health, health
    assert "curl" not in health, "the image has no curl"
    assert "wget" not in health, "the image has no wget"
    assert service.get("restart") == "unless-stopped"


# ------------------------------------------------------ compose itself


def _compose_commands() -> list[list[str]]:
    commands: list[list[str]] = []
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run(
            [docker, "compose", "version"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if probe.returncode == 0:
            commands.append([docker, "compose"])
    legacy = shutil.which("docker-compose")
    if legacy:
        commands.append([legacy])
    return commands


def test_compose_cli_accepts_the_file() -> None:
    commands = _compose_commands()
    if not commands:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")
    for command in commands:
        result = subprocess.run(
            [*command, "-f", str(COMPOSE_FILE), "config", "-q"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, f"{' '.join(command)} config -q:\n{result.stderr}"
