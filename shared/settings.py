"""One pydantic-settings class per service, all built on `ServiceSettings`.

Each service reads `<PREFIX>_<FIELD>` (e.g. `CARE_TEAM_PORT`). The connection
settings every service shares (`DATABASE_URL`, `KAFKA_BOOTSTRAP_SERVERS`,
`JWT_*`, ...) may also be given once, unprefixed; the prefixed form wins.
"""

from enum import StrEnum
from typing import Any, ClassVar

from pydantic import Field, SecretStr, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

# A known placeholder (32+ bytes, as HS256 wants), refused in production.
DEV_JWT_SECRET = "carecoord-development-only-secret-change-me"  # noqa: S105
MIN_JWT_SECRET_BYTES = 32

# Fields that may be set once for the whole system, without the service prefix.
SHARED_ENV_FIELDS = frozenset(
    {
        "environment",
        "database_url",
        "kafka_bootstrap_servers",
        "kafka_topic_prefix",
        "kafka_topic_partitions",
        "jwt_secret",
        "jwt_public_key",
        "jwt_jwks_url",
        "jwt_issuer",
        "jwt_audience",
        "log_level",
    }
)


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class _SharedFieldsOnly(PydanticBaseSettingsSource):
    """Wraps an unprefixed source so it only supplies the shared fields."""

    def __init__(self, settings_cls: type[BaseSettings], inner: PydanticBaseSettingsSource) -> None:
        super().__init__(settings_cls)
        self._inner = inner

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._inner.get_field_value(field, field_name)

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in self._inner().items() if k in SHARED_ENV_FIELDS}


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    service_name: ClassVar[str]
    default_port: ClassVar[int]

    environment: Environment = Environment.DEVELOPMENT
    host: str = "127.0.0.1"
    port: int = 0  # 0 means the service's default port

    database_url: str = "postgresql://carecoord@127.0.0.1:5432/carecoord"
    db_schema: str = ""  # empty means the service name
    db_pool_min_size: int = Field(default=2, ge=1)
    db_pool_max_size: int = Field(default=10, ge=1)

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # Namespaces every topic, so environments can share one cluster.
    kafka_topic_prefix: str = ""
    kafka_topic_partitions: int = Field(default=3, ge=1)
    kafka_consumer_group: str = ""  # empty means "carecoord.<service>"
    # aiokafka's default is 3 s: each group join (two consumers starting, an instance added)
    # then held every partition of the group still for up to 3 s.
    kafka_heartbeat_interval_ms: int = Field(default=500, ge=50)

    jwt_secret: SecretStr | None = SecretStr(DEV_JWT_SECRET)
    jwt_public_key: str | None = None
    jwt_jwks_url: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None

    outbox_batch_size: int = Field(default=500, ge=1)
    # The relay's record batches, per partition; below the broker's message.max.bytes (1 MB).
    outbox_max_batch_bytes: int = Field(default=512 * 1024, ge=16 * 1024)
    # False: this process does not relay its outbox; `python -m services.<name> relay` runs
    # the relay as a process of its own (it then waits on no request handling).
    outbox_relay_in_process: bool = True
    outbox_poll_interval_s: float = Field(default=1.0, gt=0)
    consumer_max_attempts: int = Field(default=5, ge=1)
    # Batch subscribers: at most this many records per transaction; a poll returns at once
    # with what has arrived, waiting up to the timeout only when nothing has.
    consumer_batch_max_records: int = Field(default=500, ge=1)
    consumer_batch_timeout_ms: int = Field(default=100, ge=1)
    consumer_retry_backoff_s: float = Field(default=0.2, gt=0)
    consumer_retry_backoff_max_s: float = Field(default=30.0, gt=0)

    log_level: str = "INFO"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            dotenv_settings,
            _SharedFieldsOnly(settings_cls, EnvSettingsSource(settings_cls, env_prefix="")),
            _SharedFieldsOnly(settings_cls, DotEnvSettingsSource(settings_cls, env_prefix="")),
            file_secret_settings,
        )

    @model_validator(mode="after")
    def _fill_defaults_and_refuse_unsafe(self) -> "ServiceSettings":
        if not self.port:
            self.port = self.default_port
        if not self.db_schema:
            self.db_schema = self.service_name
        if not self.kafka_consumer_group:
            self.kafka_consumer_group = f"carecoord.{self.service_name}"
        if not self.db_schema.isidentifier():
            raise ValueError("db_schema must be a plain SQL identifier")
        if self.environment is Environment.PRODUCTION:
            secret = self.jwt_secret.get_secret_value() if self.jwt_secret else None
            if secret == DEV_JWT_SECRET:
                raise ValueError("the development JWT secret must not be used in production")
            if secret is not None and len(secret.encode()) < MIN_JWT_SECRET_BYTES:
                raise ValueError(f"jwt_secret must be at least {MIN_JWT_SECRET_BYTES} bytes")
        return self

    def topic(self, name: str) -> str:
        """The deployed name of a contract topic (see `shared.events.registry`)."""
        return f"{self.kafka_topic_prefix}{name}"
