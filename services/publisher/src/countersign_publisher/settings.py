from countersign_platform.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict

__all__ = ["PublisherSettings"]


class PublisherSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PUBLISHER_", extra="ignore")

    http_port: int = 8083
