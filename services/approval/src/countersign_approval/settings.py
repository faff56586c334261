from countersign_platform.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict

__all__ = ["ApprovalSettings"]


class ApprovalSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="APPROVAL_", extra="ignore")

    http_port: int = 8082
    # How often overdue steps are looked for: a reminder comes at most this late.
    reminder_interval_s: float = Field(default=60.0, gt=0)
