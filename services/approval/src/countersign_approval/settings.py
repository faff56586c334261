from countersign_platform.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict

__all__ = ["ApprovalSettings"]


class ApprovalSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="APPROVAL_", extra="ignore")

    http_port: int = 8082
    # Cost items arriving for approval are a hop people wait on: the broker answers a fetch
    # the moment a record is there (ADR 0042).
    consumer_fetch_min_bytes: int = Field(default=1, ge=1)
    consumer_fetch_max_wait_ms: int = Field(default=500, ge=0, le=5000)
    # How often overdue steps are looked for: a reminder comes at most this late.
    reminder_interval_s: float = Field(default=60.0, gt=0)
