from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class DiarySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DIARY_", env_file=".env", extra="ignore")

    service_name: ClassVar[str] = "diary"
    default_port: ClassVar[int] = 8001
