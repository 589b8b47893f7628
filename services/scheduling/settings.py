from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class SchedulingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SCHEDULING_", env_file=".env", extra="ignore")

    service_name: ClassVar[str] = "scheduling"
    default_port: ClassVar[int] = 8002
