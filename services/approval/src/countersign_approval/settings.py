from countersign_platform.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict

__all__ = ["ApprovalSettings"]


class ApprovalSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="APPROVAL_", extra="ignore")

    http_port: int = 8082
