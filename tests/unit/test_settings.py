import pytest
from pydantic import ValidationError

from services.care_team.settings import CareTeamSettings
from services.diary.settings import DiarySettings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for name in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "JWT_SECRET", "ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(str(tmp_path))  # no stray .env


def test_defaults_follow_the_service() -> None:
    s = CareTeamSettings()
    assert (s.port, s.db_schema, s.kafka_consumer_group) == (
        8003,
        "care_team",
        "carecoord.care_team",
    )
    assert DiarySettings().port == 8001


def test_shared_variables_apply_to_every_service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "k1:9092")
    monkeypatch.setenv("DATABASE_URL", "postgresql://x@db/carecoord")
    assert CareTeamSettings().kafka_bootstrap_servers == "k1:9092"
    assert DiarySettings().database_url == "postgresql://x@db/carecoord"


def test_prefixed_variable_wins_over_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://shared/db")
    monkeypatch.setenv("DIARY_DATABASE_URL", "postgresql://diary/db")
    assert DiarySettings().database_url == "postgresql://diary/db"
    assert CareTeamSettings().database_url == "postgresql://shared/db"


def test_unprefixed_service_specific_fields_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "9999")  # only DIARY_PORT may move the diary
    assert DiarySettings().port == 8001
    monkeypatch.setenv("DIARY_PORT", "9001")
    assert DiarySettings().port == 9001


def test_production_refuses_the_development_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="development JWT secret"):
        CareTeamSettings()
    monkeypatch.setenv("JWT_SECRET", "too-short")
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        CareTeamSettings()
    monkeypatch.setenv("JWT_SECRET", "a-real-secret-from-the-vault-0123456789")
    assert CareTeamSettings().jwt_secret is not None


def test_schema_must_be_an_identifier() -> None:
    with pytest.raises(ValidationError):
        CareTeamSettings(db_schema="care_team; DROP TABLE x")


def test_topic_prefix_namespaces_contract_topics() -> None:
    s = CareTeamSettings(kafka_topic_prefix="staging.")
    assert s.topic("carecoord.prescriptions.v1") == "staging.carecoord.prescriptions.v1"
