"""devstack's Kafka pieces that need no broker: config, ids, jar cache."""

import re
import shutil
from pathlib import Path

import pytest

from devstack import kafka_jars
from devstack.errors import DevstackError
from devstack.kafka_broker import new_cluster_id, render_server_properties
from devstack.kafka_jars import KAFKA_VERSION, POM_TEMPLATE, ensure_kafka_libs


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARECOORD_CACHE_DIR", str(tmp_path))


def _properties(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if line and line[0] != "#")
    return dict(pairs)


def test_server_properties_describe_a_single_combined_node(tmp_path: Path) -> None:
    props = _properties(render_server_properties(tmp_path / "data", 19092, 19093))
    assert props["process.roles"] == "broker,controller"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:19093"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:19092"
    assert "CONTROLLER:PLAINTEXT" in props["listener.security.protocol.map"]
    assert props["log.dirs"] == str(tmp_path / "data")
    assert props["auto.create.topics.enable"] == "false"
    assert props["num.partitions"] == "3"
    assert props["group.initial.rebalance.delay.ms"] == "0"
    for key in (
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
        "share.coordinator.state.topic.replication.factor",
        "share.coordinator.state.topic.min.isr",
    ):
        assert props[key] == "1", key


def test_cluster_ids_look_like_kafka_storage_random_uuid() -> None:
    ids = {new_cluster_id() for _ in range(200)}
    assert len(ids) == 200
    for cluster_id in ids:
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}", cluster_id)
        assert not cluster_id.startswith("-")


def test_pom_default_version_matches_the_module_constant() -> None:
    assert f"<kafka.version>{KAFKA_VERSION}</kafka.version>" in POM_TEMPLATE.read_text()


def test_completed_fetch_is_reused_without_maven(monkeypatch: pytest.MonkeyPatch) -> None:
    libs = kafka_jars.kafka_libs_dir()
    libs.mkdir(parents=True)
    (libs.parent / "libs.complete").write_text("done\n")
    monkeypatch.setattr(shutil, "which", lambda _name: pytest.fail("ran Maven"))
    assert ensure_kafka_libs() == libs


def test_missing_maven_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    with pytest.raises(DevstackError, match="mvn"):
        ensure_kafka_libs()


def test_mixed_kafka_versions_are_rejected(tmp_path: Path) -> None:
    for name in (f"kafka_2.13-{KAFKA_VERSION}.jar", "kafka-server-3.8.1.jar", "zstd-jni-1.jar"):
        (tmp_path / name).touch()
    with pytest.raises(DevstackError, match=re.escape("kafka-server-3.8.1.jar")):
        kafka_jars._check_jars(tmp_path, KAFKA_VERSION)
