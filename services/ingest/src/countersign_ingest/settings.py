from countersign_platform.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict

__all__ = ["IngestSettings"]


class IngestSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INGEST_", extra="ignore")

    http_port: int = 8081
