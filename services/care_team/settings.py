from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class CareTeamSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CARE_TEAM_", env_file=".env", extra="ignore")

    service_name: ClassVar[str] = "care_team"
    default_port: ClassVar[int] = 8003

    # How often to look for patients whose washout ended (their conflicts then resolve).
    reevaluation_interval_s: float = Field(default=30.0, gt=0)
